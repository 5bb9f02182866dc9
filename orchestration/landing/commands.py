"""`onboarding load` and `onboarding partitions`: the landing zone into the raw tables,
and the landed dates as Dagster partitions.

Plain dbt reads the raw tables; load first when not going through Dagster. With a Spark
target (ONBOARDING_DBT_TARGET=spark) the raw tables are also written as Parquet files,
which the Spark target reads (orchestration/landing/parquet_mirror.py).
"""

from __future__ import annotations

import json

import click

from orchestration import settings
from orchestration.landing import LandingLoadError, load_contracts, load_table
from orchestration.landing.partitions import daily_partitions, landed_dates, range_tags
from orchestration.lib import connect_warehouse, data_dir, spark_raw_dir, warehouse_path


def _group_by_columns(unknown: dict[str, list[str]]) -> dict[tuple[str, ...], list[str]]:
    grouped: dict[tuple[str, ...], list[str]] = {}
    for file, columns in unknown.items():
        grouped.setdefault(tuple(columns), []).append(file)
    return grouped


def _checked_settings() -> None:
    if settings.command_line_check():
        raise SystemExit(2)


@click.command(name="load")
@click.option(
    "--table",
    "tables",
    multiple=True,
    type=click.Choice(sorted(load_contracts())),
    help="Only this table (repeatable; default: all).",
)
@click.option(
    "--partition",
    "partitions",
    multiple=True,
    help="Only this landing folder, e.g. date=2026-01-31 (repeatable).",
)
@click.option("--force", is_flag=True, help="Reload partitions that did not change.")
def load(tables: tuple[str, ...], partitions: tuple[str, ...], force: bool) -> None:
    """Load the landing zone (ONBOARDING_DATA_DIR) into the raw tables of the warehouse.

    Each landing folder is loaded whole in one transaction; an unchanged one is skipped,
    a removed one is deleted. A file that cannot be loaded fails its folder, naming the
    file, and the command exits 1 once the others are loaded."""
    _checked_settings()
    source = data_dir()
    if not source.is_dir():
        raise click.ClickException(f"landing directory {source} does not exist (set ONBOARDING_DATA_DIR)")
    failed = False
    mirror = spark_raw_dir()
    tables = tables or tuple(sorted(load_contracts()))
    not_found: dict[str, list[str]] = {}
    with connect_warehouse() as con:
        for name in tables:
            try:
                result = load_table(
                    con, load_contracts()[name], source, list(partitions) or None, force, mirror_dir=mirror
                )
            except LandingLoadError as exc:
                click.echo(exc, err=True)
                failed = True
                continue
            for partition in result.partitions_not_found:
                not_found.setdefault(partition, []).append(name)
            click.echo(
                f"{name:<14} loaded {len(result.partitions_loaded):>4} partition(s), "
                f"skipped {len(result.partitions_skipped)} unchanged, "
                f"removed {len(result.partitions_removed)}; {result.rows_loaded} rows "
                f"({result.malformed_lines} malformed lines); raw.{name} holds {result.rows_in_table}"
            )
            for columns, files in _group_by_columns(result.unknown_columns).items():
                click.echo(
                    f"  note: {len(files)} file(s) have columns outside the contract "
                    f"({', '.join(columns)}), e.g. {files[0]}"
                )
    # A --partition that selects nothing in any of the tables is a mistake, not a no-op.
    for partition, where in sorted(not_found.items()):
        if len(where) == len(tables):
            hint = f" (did you mean date={partition}?)" if partition[:1].isdigit() else ""
            click.echo(
                f"--partition {partition!r} selects no landing folder of {', '.join(where)}: "
                f"nothing loaded for it{hint}",
                err=True,
            )
            failed = True
    click.echo(f"warehouse: {warehouse_path()}")
    if mirror is not None:
        click.echo(f"raw tables for Spark (Parquet): {mirror}")
    if failed:
        raise SystemExit(1)


@click.group(name="partitions")
def partitions() -> None:
    """Landing dates as Dagster partitions."""


@partitions.command(name="landed-range-tags")
def landed_range_tags() -> None:
    """Print the run tags covering every landed date that is a partition (for
    `dagster job execute --tags`, as make demo does)."""
    _checked_settings()
    keys = daily_partitions.get_partition_keys()
    landed = landed_dates(data_dir())
    dates = [d for d in landed if keys and keys[0] <= d.isoformat() <= keys[-1]]
    outside = [d for d in landed if d not in dates]
    if outside:
        click.echo(
            f"warning: {len(outside)} landed dates of {data_dir()}/events ({outside[0]}..{outside[-1]}) "
            f"are not partitions ({keys[0]}..{keys[-1]}) and are left out; set "
            "ONBOARDING_PARTITIONS_START to an earlier day to include them",
            err=True,
        )
    if not dates:
        raise click.ClickException(
            f"no landed date of {data_dir()}/events is a partition ({keys[0]}..{keys[-1]})"
        )
    click.echo(json.dumps(range_tags(dates[0], dates[-1])))
