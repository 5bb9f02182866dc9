"""Finding landing files and checking each one against the contract."""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import hashlib
import io
import re
from dataclasses import dataclass
from pathlib import Path

import duckdb

from orchestration.landing.contract import TableContract, load_contracts
from orchestration.sql import readable_path

FORMATS = {".csv": "csv", ".gz": "csv", ".parquet": "parquet"}
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


class LandingFileError(Exception):
    """A landing file that cannot be loaded at all; the message names the file."""

    def __init__(self, file: str, problem: str):
        super().__init__(f"landing file {file}: {problem}")
        self.file = file
        self.problem = problem


@dataclass(frozen=True)
class LandingFile:
    """A file of a landing table, with the partition folder it sits in."""

    path: Path
    relpath: str  # relative to the landing directory, e.g. events/date=2026-01-31/a.parquet
    partition: str  # the first folder below the table folder: "date=2026-01-31", or "" for the table folder
    landing_date: dt.date | None
    format: str
    size: int
    mtime_ns: int
    problem: str | None = None  # set when the file cannot be loaded whatever it holds

    def signature(self) -> str:
        return f"{self.relpath}:{self.size}:{self.mtime_ns}"


def partition_signature(files: list[LandingFile]) -> str:
    """Changes when a file of the partition is added, removed or rewritten."""
    digest = hashlib.sha256("\n".join(sorted(f.signature() for f in files)).encode("utf-8", "replace"))
    return digest.hexdigest()[:32]


DATE_PREFIX = "date="


def partition_date(partition: str) -> dt.date | None:
    """The date of a well-formed `date=YYYY-MM-DD` partition, else None."""
    value = partition.removeprefix(DATE_PREFIX)
    if not partition.startswith(DATE_PREFIX) or not _ISO_DATE.fullmatch(value):
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        return None


def _partition_problem(partition: str, contract: TableContract) -> str | None:
    """Why files in this partition folder cannot be loaded, or None."""
    if partition.startswith(DATE_PREFIX) and partition_date(partition) is None:
        return f"sits in folder '{partition}', which is not a date=YYYY-MM-DD partition"
    if partition and contract.partitioned and partition_date(partition) is None:
        return (
            f"sits in folder '{partition}': files of '{contract.name}' go in date=YYYY-MM-DD folders "
            "(the day they arrived) or directly in the table folder"
        )
    return None


def _is_hidden(path: Path, root: Path) -> bool:
    return any(p.startswith((".", "_")) for p in path.relative_to(root).parts)


def _format_of(path: Path) -> str | None:
    if path.name.endswith(".csv.gz"):
        return "csv"
    if path.suffix == ".gz":
        return None
    return FORMATS.get(path.suffix.lower())


def _is_utf8(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def discover_files(data_dir: Path, table: TableContract | str) -> list[LandingFile]:
    """Every landing file of a table, sorted: the one listing every path uses (the loader's
    command line, `make load`, the Dagster assets and checks, `landed_dates`).

    A file's partition is the first folder below the table folder (files deeper
    down belong to it), or "" for files directly in the table folder. Hidden and
    `_`-prefixed files and folders are skipped. A file that cannot be loaded
    whatever it holds (an unsupported type, a malformed `date=` folder, a folder
    other than `date=` for a table split by arrival day, a name that is not
    UTF-8) is returned with its `problem` set rather than skipped in silence: it
    was put there to be loaded, and loading its partition fails naming it.
    Names are taken as they are: nothing in them is a pattern.
    """
    contract = load_contracts()[table] if isinstance(table, str) else table
    table_dir = data_dir / contract.name
    if not table_dir.is_dir():
        return []
    found = []
    for path in sorted(p for p in table_dir.rglob("*") if p.is_file()):
        if _is_hidden(path, table_dir):
            continue
        relpath = path.relative_to(data_dir).as_posix()
        parts = path.relative_to(table_dir).parts
        partition = parts[0] if len(parts) > 1 else ""
        fmt = _format_of(path)
        problem = _partition_problem(partition, contract)
        if fmt is None:
            problem = "has an unsupported file type (expected .csv, .csv.gz or .parquet)"
        if not _is_utf8(relpath):
            problem = "has a name that is not valid UTF-8"
        stat = path.stat()
        found.append(
            LandingFile(
                path=path,
                relpath=relpath,
                partition=partition,
                landing_date=partition_date(partition),
                format=fmt or "unsupported",
                size=stat.st_size,
                mtime_ns=stat.st_mtime_ns,
                problem=problem,
            )
        )
    return found


def by_partition(files: list[LandingFile]) -> dict[str, list[LandingFile]]:
    grouped: dict[str, list[LandingFile]] = {}
    for file in files:
        grouped.setdefault(file.partition, []).append(file)
    return grouped


def select_partitions(
    present: list[str],
    logged: list[str],
    partitions: list[str] | None = None,
    dates: tuple[dt.date, dt.date] | None = None,
) -> list[str]:
    """The landing partitions a load looks at, among those with files (`present`) and
    those loaded before (`logged`, to remove the rows of a partition that is gone):

    - neither `partitions` nor `dates`: all of them (the command line, make load);
    - `partitions`: exactly those (`--partition`);
    - `dates` (first, last): a Dagster run of those landing dates: every `date=`
      partition in the range, plus every partition that is not a date (files
      directly in the table folder, and malformed folders, which then fail with
      their message), so that Dagster and the command line load the same files.
    """
    known = sorted(set(present) | set(logged))
    if partitions is not None:
        return sorted(set(partitions))
    if dates is None:
        return known
    first, last = dates
    wanted = {f"{DATE_PREFIX}{first + dt.timedelta(days=i)}" for i in range((last - first).days + 1)}
    return sorted(wanted | {p for p in known if partition_date(p) is None})


def _csv_header(file: LandingFile) -> list[str]:
    opener = gzip.open if file.path.name.endswith(".gz") else open
    try:
        with opener(file.path, "rt", encoding="utf-8", newline="") as handle:
            header = next(csv.reader(io.StringIO(handle.readline())), [])
    except (OSError, UnicodeDecodeError, EOFError) as exc:
        raise LandingFileError(file.relpath, f"cannot be read as UTF-8 CSV ({exc})") from None
    if not header:
        raise LandingFileError(file.relpath, "is empty: a CSV file needs a header row")
    return [h.strip().lstrip("\ufeff") for h in header]


def _parquet_columns(con: duckdb.DuckDBPyConnection, file: LandingFile) -> list[str]:
    try:
        with readable_path(file.path) as path:
            rows = con.execute(
                "describe select * from read_parquet(?, hive_partitioning = false)", [path]
            ).fetchall()
    except duckdb.Error as exc:
        message = str(exc).splitlines()[0]
        raise LandingFileError(file.relpath, f"is not a readable Parquet file ({message})") from None
    return [r[0] for r in rows]


def file_columns(con: duckdb.DuckDBPyConnection, file: LandingFile) -> list[str]:
    """The column names a landing file declares."""
    if file.problem:
        raise LandingFileError(file.relpath, file.problem)
    return _csv_header(file) if file.format == "csv" else _parquet_columns(con, file)


def check_columns(contract: TableContract, file: LandingFile, columns: list[str]) -> list[str]:
    """Raise when a required column is missing; return the columns the contract does not know."""
    duplicated = sorted({c for c in columns if columns.count(c) > 1})
    if duplicated:
        raise LandingFileError(file.relpath, f"has duplicated column(s) {', '.join(duplicated)}")
    missing = sorted(contract.required - set(columns))
    if missing:
        raise LandingFileError(
            file.relpath,
            f"is missing required column(s) {', '.join(missing)} of table '{contract.name}' "
            f"(found: {', '.join(columns) or 'none'})",
        )
    return [c for c in columns if c not in contract.columns]


@dataclass(frozen=True)
class StrayEntry:
    """A folder or file at the top of the landing zone that is not a table folder: its files
    are not loaded. `closest` is the table name it most likely meant (or None)."""

    name: str
    is_dir: bool
    closest: str | None
    expected: tuple[str, ...]
    # True when the table it most likely meant has no folder of its own: that table's data
    # would be missing in silence, so loading refuses.
    refused: bool

    def message(self, data_dir: Path) -> str:
        what = f"folder '{self.name}/'" if self.is_dir else f"file '{self.name}'"
        guess = f"; did you mean '{self.closest}/'?" if self.closest else "."
        verdict = (
            f" Table '{self.closest}' has no folder, so its data would be missing: rename the folder."
            if self.refused
            else ""
        )
        return (
            f"{what} in the landing zone {data_dir} is not a table folder: "
            f"{'its files are' if self.is_dir else 'it is'} not loaded "
            f"(table folders: {', '.join(f'{t}/' for t in self.expected)}){guess}{verdict}"
        )


def _closest_table(name: str, tables: list[str]) -> str | None:
    import difflib

    stem = name.split(".")[0].lower()
    for table in tables:
        # subscription -> subscriptions, Events -> events, event_export -> events
        if stem and (stem == table or table.startswith(stem) or stem.startswith(table.rstrip("s"))):
            return table
    matches = difflib.get_close_matches(stem, tables, n=1, cutoff=0.6)
    return matches[0] if matches else None


def stray_entries(data_dir: Path) -> list[StrayEntry]:
    """Folders and files at the top of the landing zone that are not table folders
    (`subscription/`, `users/`, `events.csv`), hidden and `_` names aside."""
    if not data_dir.is_dir():
        return []
    tables = sorted(load_contracts())
    present = {p.name for p in data_dir.iterdir() if p.is_dir() and p.name in tables}
    found = []
    for path in sorted(data_dir.iterdir()):
        if path.name in present or path.name.startswith((".", "_")):
            continue
        closest = _closest_table(path.name, tables)
        found.append(
            StrayEntry(
                name=path.name,
                is_dir=path.is_dir(),
                closest=closest,
                expected=tuple(tables),
                refused=closest is not None and closest not in present,
            )
        )
    return found
