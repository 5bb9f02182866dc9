"""Finding landing files and checking each one against the contract."""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import hashlib
import io
from dataclasses import dataclass
from pathlib import Path

import duckdb

from orchestration.landing.contract import TableContract

FORMATS = {".csv": "csv", ".gz": "csv", ".parquet": "parquet"}


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
    partition: str  # folder relative to the table folder: "date=2026-01-31" or ""
    landing_date: dt.date | None
    format: str
    size: int
    mtime_ns: int
    problem: str | None = None  # set when the file cannot be loaded whatever it holds

    def signature(self) -> str:
        return f"{self.relpath}:{self.size}:{self.mtime_ns}"


def partition_signature(files: list[LandingFile]) -> str:
    """Changes when a file of the partition is added, removed or rewritten."""
    digest = hashlib.sha256("\n".join(sorted(f.signature() for f in files)).encode())
    return digest.hexdigest()[:32]


def _partition_date(partition: str) -> tuple[dt.date | None, str | None]:
    """The date of a `date=YYYY-MM-DD` folder, or the problem with it."""
    for part in partition.split("/"):
        key, _, value = part.partition("=")
        if key == "date":
            try:
                return dt.date.fromisoformat(value), None
            except ValueError:
                return None, f"sits in folder '{part}', which is not a date=YYYY-MM-DD partition"
    return None, None


def _is_hidden(path: Path, root: Path) -> bool:
    return any(p.startswith((".", "_")) for p in path.relative_to(root).parts)


def _format_of(path: Path) -> str | None:
    if path.name.endswith(".csv.gz"):
        return "csv"
    if path.suffix == ".gz":
        return None
    return FORMATS.get(path.suffix.lower())


def discover_files(data_dir: Path, table: str) -> list[LandingFile]:
    """Every landing file of a table, sorted; hidden and `_`-prefixed paths are skipped.

    A file of an unsupported type, or in a malformed partition folder, is
    returned with its `problem` set rather than skipped in silence: it was put
    there to be loaded, and loading its partition will fail naming it.
    """
    table_dir = data_dir / table
    if not table_dir.is_dir():
        return []
    found = []
    for path in sorted(p for p in table_dir.rglob("*") if p.is_file()):
        if _is_hidden(path, table_dir):
            continue
        relpath = path.relative_to(data_dir).as_posix()
        fmt = _format_of(path)
        partition = path.parent.relative_to(table_dir).as_posix()
        partition = "" if partition == "." else partition
        landing_date, problem = _partition_date(partition)
        if fmt is None:
            problem = "has an unsupported file type (expected .csv, .csv.gz or .parquet)"
        stat = path.stat()
        found.append(
            LandingFile(
                path=path,
                relpath=relpath,
                partition=partition,
                landing_date=landing_date,
                format=fmt or "unsupported",
                size=stat.st_size,
                mtime_ns=stat.st_mtime_ns,
                problem=problem,
            )
        )
    return found


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
        rows = con.execute(
            "describe select * from read_parquet(?, hive_partitioning = false)", [str(file.path)]
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
