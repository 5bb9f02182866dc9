"""Mirror the landing files of a table into its raw warehouse table.

Each landing partition (a folder such as `events/date=2026-01-31/`, or the
table folder itself) is loaded as one unit, in one transaction: its raw rows
are deleted and written again. A partition whose files have not changed since
its last load is skipped, and a partition whose files are gone is removed, so
the raw table always mirrors the landing zone.

Every column is loaded as text; typing is staging's job. A CSV line that
cannot be parsed becomes a raw row holding only the line and the parser's
error, so staging can quarantine it with a reason. A file that cannot be
loaded at all (unreadable, a required column missing) fails its partition
with a message naming the file; the other partitions are still loaded, and
the load raises `LandingLoadError` at the end.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from orchestration.landing.contract import LOADER_COLUMNS, TableContract
from orchestration.landing.files import (
    LandingFile,
    LandingFileError,
    by_partition,
    check_columns,
    discover_files,
    file_columns,
    partition_date,
    partition_signature,
    select_partitions,
)
from orchestration.landing.parquet_mirror import mirror_table
from orchestration.sql import quote_identifier, readable_path

LOAD_LOG = "raw._load_log"


class LandingLoadError(Exception):
    """Some partitions failed; the others were loaded."""

    def __init__(self, table: str, errors: list[LandingFileError]):
        lines = "\n".join(f"  - {e}" for e in errors)
        super().__init__(f"{len(errors)} landing partition(s) of '{table}' failed:\n{lines}")
        self.errors = errors


@dataclass
class TableLoadResult:
    """What a load did to one table."""

    table: str
    partitions_loaded: list[str] = field(default_factory=list)
    partitions_skipped: list[str] = field(default_factory=list)
    partitions_removed: list[str] = field(default_factory=list)
    partitions_not_found: list[str] = field(default_factory=list)  # asked for: no files, no rows
    files_loaded: int = 0
    rows_loaded: int = 0
    malformed_lines: int = 0
    unknown_columns: dict[str, list[str]] = field(default_factory=dict)
    rows_in_table: int = 0


def _raw_table(contract: TableContract) -> str:
    return quote_identifier("raw", contract.name)


def ensure_tables(con: duckdb.DuckDBPyConnection, contract: TableContract) -> None:
    """Create the raw table and the load log, adding contract columns that are new."""
    con.execute("create schema if not exists raw")
    con.execute(
        f"create table if not exists {LOAD_LOG} (table_name varchar, landing_partition varchar, "
        "files_signature varchar, files integer, rows_loaded bigint, malformed_lines bigint, "
        "loaded_at timestamp)"
    )
    wanted = {c: "varchar" for c in contract.columns} | LOADER_COLUMNS
    columns = ", ".join(f"{quote_identifier(c)} {_TYPES[t]}" for c, t in wanted.items())
    con.execute(f"create table if not exists {_raw_table(contract)} ({columns})")
    existing = {
        r[0]
        for r in con.execute(
            "select column_name from information_schema.columns "
            "where table_schema = 'raw' and table_name = ?",
            [contract.name],
        ).fetchall()
    }
    for column, type_ in wanted.items():
        if column not in existing:
            con.execute(
                f"alter table {_raw_table(contract)} add column {quote_identifier(column)} {_TYPES[type_]}"
            )


# The loader's column types, as SQL (a fixed vocabulary: nothing from outside).
_TYPES = {"varchar": "varchar", "date": "date", "bigint": "bigint", "timestamp": "timestamp"}

# The landing date of a row: the `date=` folder's, else (files directly in the table
# folder) the day of received_at, else the day of the load.
_LANDING_DATE_FROM_RECEIVED_AT = (
    "coalesce($landing_date, cast(try_cast(cast(received_at as varchar) as timestamptz) as date), "
    "current_date)"
)


def _select_list(contract: TableContract, present: list[str]) -> str:
    """The select list of one file's rows; every value from outside is a named parameter
    ($landing_date, $partition, $source_file, $loaded_at), every name a quoted identifier."""
    values = [
        f"cast({quote_identifier(c)} as varchar) as {quote_identifier(c)}"
        if c in present
        else f"null::varchar as {quote_identifier(c)}"
        for c in contract.columns
    ]
    landing_date = _LANDING_DATE_FROM_RECEIVED_AT if "received_at" in present else "$landing_date"
    values += [
        f"cast({landing_date} as date) as _landing_date",
        "$partition as _landing_partition",
        "$source_file as _source_file",
        "_row as _source_row",
        "null::varchar as _parse_error",
        "null::varchar as _raw_line",
        "$loaded_at as _loaded_at",
    ]
    return ", ".join(values)


# File readers. The path is a parameter, escaped so that it is never a glob pattern
# (orchestration/sql.py readable_path); CSV columns are a parameter too.
PARQUET_READER = (
    "(select *, file_row_number + 1 as _row "
    "from read_parquet($path, file_row_number = true, hive_partitioning = false))"
)
# Line numbers: the header is line 1, so the first record is on line 2.
CSV_READER = (
    "(select *, row_number() over () + 1 as _row from read_csv($path, header = true, "
    "auto_detect = false, delim = ',', quote = '\"', escape = '\"', "
    "store_rejects = true, rejects_table = '_rejects', rejects_scan = '_reject_scans', "
    "columns = $columns))"
)


def _insert_file(
    con: duckdb.DuckDBPyConnection,
    contract: TableContract,
    file: LandingFile,
    columns: list[str],
    loaded_at: dt.datetime,
) -> tuple[int, int]:
    """Insert one file's rows; return (rows, malformed lines)."""
    select = _select_list(contract, columns)
    target = _raw_table(contract)
    parameters = {
        "landing_date": file.landing_date,
        "partition": file.partition,
        "source_file": file.relpath,
        "loaded_at": loaded_at,
    }
    if file.format == "parquet":
        reader = PARQUET_READER
    else:
        reader = CSV_READER
        parameters["columns"] = {c: "varchar" for c in columns}
        con.execute("drop table if exists _rejects")
        con.execute("drop table if exists _reject_scans")
    try:
        with readable_path(file.path) as path:
            sql = f"insert into {target} by name select {select} from {reader}"
            rows = con.execute(sql, {**parameters, "path": path}).fetchone()[0]
    except duckdb.Error as exc:
        raise LandingFileError(file.relpath, f"cannot be read ({str(exc).splitlines()[0]})") from None
    malformed = 0
    if file.format == "csv":
        malformed = _insert_malformed_lines(con, target, file, loaded_at)
    return rows, malformed


def _insert_malformed_lines(con, target: str, file: LandingFile, loaded_at: dt.datetime) -> int:
    """Keep each CSV line the reader rejected as a raw row with its error, and move
    the parsed rows after it down to the line numbers they really have."""
    con.execute(
        "create or replace temp table _rejected_lines as "
        "select distinct on (line) line, error_type || ': ' || error_message as error, csv_line "
        "from _rejects order by line"
    )
    malformed = con.execute("select count(*) from _rejected_lines").fetchone()[0]
    if malformed == 0:
        return 0
    # The k-th parsed record sits on line k + 1 plus the rejected lines before it:
    # with rejected lines l_1 < l_2 < ..., those with l_i - i <= k.
    con.execute(
        f"update {target} as landed set _source_row = landed._source_row + ("
        "  select count(*) from (select line - row_number() over (order by line) as shift "
        "                        from _rejected_lines) as r"
        "  where r.shift <= landed._source_row - 1) "
        "where landed._source_file = ? and landed._parse_error is null",
        [file.relpath],
    )
    con.execute(
        f"insert into {target} by name select $partition as _landing_partition, "
        "$source_file as _source_file, line as _source_row, error as _parse_error, csv_line as _raw_line, "
        "cast($landing_date as date) as _landing_date, $loaded_at as _loaded_at "
        "from _rejected_lines",
        {
            "partition": file.partition,
            "source_file": file.relpath,
            "landing_date": file.landing_date,
            "loaded_at": loaded_at,
        },
    )
    return malformed


def _load_partition(
    con: duckdb.DuckDBPyConnection,
    contract: TableContract,
    partition: str,
    files: list[LandingFile],
    loaded_at: dt.datetime,
    result: TableLoadResult,
) -> None:
    checked = []
    for file in files:
        columns = file_columns(con, file)
        unknown = check_columns(contract, file, columns)
        if unknown:
            result.unknown_columns[file.relpath] = unknown
        checked.append((file, columns))
    con.execute("begin transaction")
    try:
        con.execute(f"delete from {_raw_table(contract)} where _landing_partition = ?", [partition])
        rows = malformed = 0
        for file, columns in checked:
            file_rows, file_malformed = _insert_file(con, contract, file, columns, loaded_at)
            rows += file_rows
            malformed += file_malformed
        con.execute(
            f"delete from {LOAD_LOG} where table_name = ? and landing_partition = ?",
            [contract.name, partition],
        )
        con.execute(
            f"insert into {LOAD_LOG} values (?, ?, ?, ?, ?, ?, ?)",
            [contract.name, partition, partition_signature(files), len(files), rows, malformed, loaded_at],
        )
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise
    result.partitions_loaded.append(partition)
    result.files_loaded += len(files)
    result.rows_loaded += rows + malformed
    result.malformed_lines += malformed


def _remove_partition(con: duckdb.DuckDBPyConnection, contract: TableContract, partition: str) -> None:
    con.execute("begin transaction")
    con.execute(f"delete from {_raw_table(contract)} where _landing_partition = ?", [partition])
    con.execute(
        f"delete from {LOAD_LOG} where table_name = ? and landing_partition = ?", [contract.name, partition]
    )
    con.execute("commit")


def load_table(
    con: duckdb.DuckDBPyConnection,
    contract: TableContract,
    data_dir: Path,
    partitions: list[str] | None = None,
    force: bool = False,
    mirror_dir: Path | None = None,
    dates: tuple[dt.date, dt.date] | None = None,
) -> TableLoadResult:
    """Load the changed partitions of one table: all of them, or those of `partitions`
    (exact landing folders), or those of a Dagster run of the landing `dates` (first,
    last): see `select_partitions` in files.py, the one rule every path uses.

    `force` reloads partitions whose files have not changed (with `dates`, the `date=`
    partitions of the range only). A partition asked for that has neither files nor
    rows is listed in `partitions_not_found`. With `mirror_dir` (the Spark target), the
    raw table is then mirrored there as Parquet files
    (orchestration/landing/parquet_mirror.py), also when some partitions failed.
    """
    ensure_tables(con, contract)
    result = TableLoadResult(table=contract.name)
    files_by_partition = by_partition(discover_files(data_dir, contract))
    logged = dict(
        con.execute(
            f"select landing_partition, files_signature from {LOAD_LOG} where table_name = ?",
            [contract.name],
        ).fetchall()
    )
    wanted = select_partitions(list(files_by_partition), list(logged), partitions, dates)
    loaded_at = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    errors: list[LandingFileError] = []
    for partition in wanted:
        files = files_by_partition.get(partition, [])
        if not files:
            if partition in logged:
                _remove_partition(con, contract, partition)
                result.partitions_removed.append(partition)
            elif partitions is not None:
                result.partitions_not_found.append(partition)
            continue
        forced = force and (dates is None or partition_date(partition) is not None)
        if not forced and logged.get(partition) == partition_signature(files):
            result.partitions_skipped.append(partition)
            continue
        try:
            _load_partition(con, contract, partition, files, loaded_at, result)
        except LandingFileError as exc:
            errors.append(exc)
    result.rows_in_table = con.execute(f"select count(*) from {_raw_table(contract)}").fetchone()[0]
    if mirror_dir is not None:
        mirror_table(con, contract.name, mirror_dir, result.partitions_loaded)
    if errors:
        raise LandingLoadError(contract.name, errors)
    return result
