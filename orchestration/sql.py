"""The one place where text from outside meets SQL text.

Values (file and folder names, partition keys, dates, settings, ids) reach SQL as
bound parameters (`con.execute(sql, [value])` / `{"name": value}`), never as text.
Where SQL needs a name, it is quoted here, and only here:

- `quote_identifier`: a table, schema or column name, in double quotes with
  embedded quotes doubled (the SQL standard; DuckDB and Spark both accept it).
- `quote_literal`: a string literal, for the one kind of statement that cannot take
  parameters and must keep the value in its text: the definition of a view
  (orchestration/spark_tables.py). Nothing else uses it.
- `literal_path`: a path for DuckDB's file readers (read_csv, read_parquet), which
  expand `*`, `?` and `[...]` as glob patterns even in a bound parameter: those
  characters are escaped, so a file named `ev*.csv` is read alone.

tests/test_sql_guard.py fails on SQL built from anything else in Python, and
tests/test_hostile_names.py plants hostile names where they could reach SQL.
"""

from __future__ import annotations

import os
import re

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


def literal_path(path: str | os.PathLike[str]) -> str:
    """A path that DuckDB's file readers match literally: each glob character in
    brackets (`*` -> `[*]`, `?` -> `[?]`, `[` -> `[[]`). Pass it as a parameter."""
    return _GLOB.sub(lambda m: f"[{m.group(0)}]", _checked(os.fspath(path), "path"))
