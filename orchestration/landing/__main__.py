"""Command line: load the landing zone into the raw tables.

    python -m orchestration.landing load [--table events] [--partition date=2026-01-31] [--force]

Plain dbt reads the raw tables; run this first when not going through Dagster.
With a Spark target (ONBOARDING_DBT_TARGET=spark) the raw tables are also written as Parquet
files, which the Spark target reads (orchestration/landing/parquet_mirror.py).
"""

from __future__ import annotations

import argparse
import sys

from orchestration import settings
from orchestration.landing import LandingLoadError, load_contracts, load_table
from orchestration.lib import connect_warehouse, data_dir, spark_raw_dir, warehouse_path


def _group_by_columns(unknown: dict[str, list[str]]) -> dict[tuple[str, ...], list[str]]:
    grouped: dict[tuple[str, ...], list[str]] = {}
    for file, columns in unknown.items():
        grouped.setdefault(tuple(columns), []).append(file)
    return grouped


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m orchestration.landing")
    commands = parser.add_subparsers(dest="command", required=True)
    load = commands.add_parser("load", help="mirror landing files into raw.* tables")
    load.add_argument(
        "--table",
        action="append",
        choices=sorted(load_contracts()),
        help="only this table (repeatable; default: all)",
    )
    load.add_argument(
        "--partition", action="append", help="only this landing folder, e.g. date=2026-01-31 (repeatable)"
    )
    load.add_argument("--force", action="store_true", help="reload partitions that did not change")
    args = parser.parse_args(argv)
    if settings.command_line_check():
        return 2

    source = data_dir()
    if not source.is_dir():
        print(f"landing directory {source} does not exist (set ONBOARDING_DATA_DIR)", file=sys.stderr)
        return 2
    failed = False
    mirror = spark_raw_dir()
    tables = args.table or sorted(load_contracts())
    not_found: dict[str, list[str]] = {}
    with connect_warehouse() as con:
        for name in tables:
            try:
                result = load_table(
                    con, load_contracts()[name], source, args.partition, args.force, mirror_dir=mirror
                )
            except LandingLoadError as exc:
                print(exc, file=sys.stderr)
                failed = True
                continue
            for partition in result.partitions_not_found:
                not_found.setdefault(partition, []).append(name)
            print(
                f"{name:<14} loaded {len(result.partitions_loaded):>4} partition(s), "
                f"skipped {len(result.partitions_skipped)} unchanged, "
                f"removed {len(result.partitions_removed)}; {result.rows_loaded} rows "
                f"({result.malformed_lines} malformed lines); raw.{name} holds {result.rows_in_table}"
            )
            for columns, files in _group_by_columns(result.unknown_columns).items():
                print(
                    f"  note: {len(files)} file(s) have columns outside the contract "
                    f"({', '.join(columns)}), e.g. {files[0]}"
                )
    # A --partition that selects nothing in any of the tables is a mistake, not a no-op.
    for partition, where in sorted(not_found.items()):
        if len(where) == len(tables):
            hint = f" (did you mean date={partition}?)" if partition[:1].isdigit() else ""
            print(
                f"--partition {partition!r} selects no landing folder of {', '.join(where)}: "
                f"nothing loaded for it{hint}",
                file=sys.stderr,
            )
            failed = True
    print(f"warehouse: {warehouse_path()}")
    if mirror is not None:
        print(f"raw tables for Spark (Parquet): {mirror}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
