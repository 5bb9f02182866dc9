"""The raw tables as Parquet files, for engines that read files (the Spark target).

The loader checks and loads the landing files into the DuckDB raw tables
(contract, malformed CSV lines, lineage columns); this module then writes
each landing partition of a raw table as one Parquet file,
`<dir>/<table>/part-<partition>.parquet`, so another engine reads exactly the
rows DuckDB reads. Spark registers `raw.<table>` over `<dir>/<table>` (the dbt
hook `register_landed_tables`). A file is written under a hidden temporary
name and renamed into place, so a reader sees the old file or the new one.
"""

from __future__ import annotations

import hashlib
import os
import re
from pathlib import Path

import duckdb

from orchestration.sql import quote_identifier

PREFIX = "part-"


# Partition names used as they are in file names: plain characters only (Hadoop's
# paths, which Spark uses, take `%`, `#`, `:` and spaces for URI syntax).
_PLAIN = re.compile(r"[A-Za-z0-9=_.-]{1,150}")


def partition_file_name(partition: str) -> str:
    """The file of a landing partition: `part-<name>.parquet` for a plain name
    (`date=2026-01-31`; `all` for the table folder), else `part-~<hash of the name>`
    (`~` never occurs in a plain name, so the two forms never meet)."""
    if not partition:
        return f"{PREFIX}all.parquet"
    if _PLAIN.fullmatch(partition):
        return f"{PREFIX}{partition}.parquet"
    return f"{PREFIX}~{hashlib.sha256(partition.encode('utf-8')).hexdigest()[:40]}.parquet"


def _write_partition(con: duckdb.DuckDBPyConnection, table: str, partition: str, folder: Path) -> None:
    final = folder / partition_file_name(partition)
    temporary = folder / f".{final.name}.tmp"
    # Timestamps with a time zone: Parquet marks them as UTC instants, which Spark
    # reads as its (session-time-zone) timestamp type; the session is UTC.
    con.execute(
        "copy (select * replace (cast(_loaded_at as timestamptz) as _loaded_at) "
        f"from {quote_identifier('raw', table)} "
        "where _landing_partition = ? order by _source_file, _source_row) to ? (format parquet)",
        [partition, str(temporary)],
    )
    os.replace(temporary, final)


def mirror_table(
    con: duckdb.DuckDBPyConnection, table: str, mirror_dir: Path, changed_partitions: list[str]
) -> None:
    """Make `<mirror_dir>/<table>/` hold one file per landing partition of raw.<table>:
    rewrite the changed partitions and those without a file, remove the files of
    partitions that are gone."""
    folder = mirror_dir / table
    folder.mkdir(parents=True, exist_ok=True)
    for leftover in folder.glob(f".{PREFIX}*.tmp"):  # from a load that was killed while writing
        leftover.unlink(missing_ok=True)
    partitions = [
        row[0]
        for row in con.execute(
            f"select distinct _landing_partition from {quote_identifier('raw', table)}"
        ).fetchall()
        if row[0] is not None
    ]
    wanted = {partition_file_name(p): p for p in partitions}
    present = {path.name for path in folder.glob(f"{PREFIX}*.parquet")}
    for name, partition in sorted(wanted.items()):
        if partition in changed_partitions or name not in present:
            _write_partition(con, table, partition, folder)
    for name in sorted(present - set(wanted)):
        (folder / name).unlink()
