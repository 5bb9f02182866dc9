"""The one place where text from outside meets SQL text.

Values (file and folder names, partition keys, dates, settings, ids) reach SQL as
bound parameters (`con.execute(sql, [value])` / `{"name": value}`), never as text.
Where SQL needs a name, it is quoted here, and only here:

- `quote_identifier`: a table, schema or column name, in double quotes with
  embedded quotes doubled (the SQL standard; DuckDB and Spark both accept it).
- `quote_literal`: a string literal, for the one kind of statement that cannot take
  parameters and must keep the value in its text: the definition of a view
  (orchestration/spark_tables.py). Nothing else uses it.
- `readable_path`: a path for DuckDB's file readers (read_csv, read_parquet), which
  expand `*`, `?` and `[...]` as glob patterns even in a bound parameter (and then
  take a backslash for a folder separator): a path with any of those characters is
  read through a symbolic link of a plain name, so a file named `ev*.csv` is read
  alone and `back\\slash.csv` is found.
- `pattern_in`: a glob pattern below a folder (`<folder>/**/*.parquet`), with the
  folder's own glob characters escaped; a folder with a backslash is refused.

- `repository_query`: a query written in a file of this repository (the BI
  starter's tiles, bi/dashboards.yml): code, reviewed as code like a dbt model,
  not a value from outside; run only on a read-only connection to the snapshot.

tests/fast/test_sql_guard.py fails on SQL built from anything else in Python, and
tests/test_hostile_names.py plants hostile names where they could reach SQL.
"""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

_GLOB = re.compile(r"[*?\[]")


def _checked(text: str, what: str) -> str:
    if not isinstance(text, str):
        raise TypeError(f"{what} must be text, not {type(text).__name__}")
    if "\x00" in text:
        raise ValueError(f"{what} {text!r} contains a NUL character")
    return text


def quote_identifier(*parts: str) -> str:
    """`"schema"."table"` from ("schema", "table"): each part quoted, quotes doubled."""
    if not parts:
        raise ValueError("quote_identifier needs at least one name")
    return ".".join('"' + _checked(part, "identifier").replace('"', '""') + '"' for part in parts)


def quote_literal(text: str) -> str:
    """`'text'` with apostrophes doubled: only for statements that cannot take parameters."""
    return "'" + _checked(text, "literal").replace("'", "''") + "'"


def repository_query(text: str, source: Path) -> str:
    """The SQL text of a query file of this repository, as written; one from a file
    elsewhere is refused (as is text with a NUL character)."""
    root = Path(__file__).resolve().parent.parent
    if not source.resolve().is_relative_to(root):
        raise ValueError(f"{source}: queries are run only from files of the repository ({root})")
    return _checked(text, "query")


def _is_plain(path: str) -> bool:
    return not _GLOB.search(path) and "\\" not in path


@contextmanager
def readable_path(path: str | os.PathLike[str]) -> Iterator[str]:
    """A path DuckDB's file readers open as exactly this file: the path itself when it has
    no glob character or backslash, else a symbolic link to it with a plain name (same
    extension) in a temporary folder, removed afterwards. Pass it as a parameter."""
    text = _checked(os.fspath(path), "path")
    if _is_plain(text):
        yield text
        return
    with tempfile.TemporaryDirectory(prefix="onboarding-read-") as folder:
        if not _is_plain(folder):
            raise RuntimeError(
                f"the temporary folder {folder} has glob characters: set TMPDIR to a plain one"
            )
        suffixes = "".join(s for s in Path(text).suffixes[-2:] if s.isascii() and s[1:].isalnum())
        link = Path(folder) / f"file{suffixes}"
        link.symlink_to(os.path.abspath(text))
        yield str(link)


def pattern_in(folder: str | os.PathLike[str], pattern: str) -> str:
    """`<folder>/<pattern>` for DuckDB's readers, the folder matched literally (its glob
    characters in brackets: `*` -> `[*]`, `?` -> `[?]`, `[` -> `[[]`)."""
    text = _checked(os.fspath(folder), "folder")
    if "\\" in text:
        raise ValueError(f"folder {text!r} has a backslash: DuckDB's file patterns cannot match it")
    return _GLOB.sub(lambda m: f"[{m.group(0)}]", text) + "/" + pattern
