"""The landing files (external assets) and the raw tables loaded from them.

`events` is partitioned by landing date (its `date=` folders): a run or a
backfill reloads exactly the folders of its partitions. The other tables are
small snapshots, loaded whole (unchanged files are skipped).
"""

from datetime import timedelta

from dagster import (
    AssetExecutionContext,
    AssetKey,
    AssetSpec,
    FreshnessPolicy,
    MaterializeResult,
    TableColumn,
    TableColumnConstraints,
    TableSchema,
    asset,
    multi_asset,
)

from orchestration.landing import (
    LOADER_COLUMNS,
    LandingLoadError,
    TableLoadResult,
    load_contracts,
    load_table,
)
from orchestration.landing.partitions import daily_partitions, partition_date_range, single_run
from orchestration.lib import data_dir, spark_raw_dir
from orchestration.transform.resources import WarehouseResource

CONTRACTS = load_contracts()
LOADER_TYPES = list(LOADER_COLUMNS.items())
PARTITIONED_TABLES = sorted(name for name, contract in CONTRACTS.items() if contract.partitioned)
SNAPSHOT_TABLES = sorted(name for name, contract in CONTRACTS.items() if not contract.partitioned)
OWNER = "team:data-platform"

# The landing tables in the warehouse must be reloaded at least daily: warn after
# a day and a half without a load, fail after two and a half.
LANDING_FRESHNESS = FreshnessPolicy.time_window(
    fail_window=timedelta(hours=60), warn_window=timedelta(hours=36)
)


def column_schema(name: str, landing: bool) -> TableSchema:
    """The contract's columns: their landing type in the files, text in the raw table
    (plus the loader's lineage columns there)."""
    contract = CONTRACTS[name]
    columns = [
        TableColumn(
            column,
            contract.landing_types[column] if landing else "varchar",
            description=contract.descriptions[column],
            constraints=TableColumnConstraints(nullable=column not in contract.required),
        )
        for column in contract.columns
    ]
    if not landing:
        columns += [
            TableColumn(column, type_, description="Added by the loader.") for column, type_ in LOADER_TYPES
        ]
    return TableSchema(columns=columns)


def landing_key(table: str) -> AssetKey:
    return AssetKey(["landing", table])


def raw_key(table: str) -> AssetKey:
    """The key dagster-dbt gives the dbt source raw.<table>, so the lineage joins."""
    return AssetKey(["raw", table])


landing_files = [
    AssetSpec(
        key=landing_key(name),
        group_name="landing",
        description=f"Landing files of `{name}` (CSV or Parquet under ONBOARDING_DATA_DIR/{name}/). "
        f"{contract.description}",
        kinds={"file"},
        metadata={
            "required_columns": ", ".join(sorted(contract.required)),
            "dagster/column_schema": column_schema(name, landing=True),
        },
        partitions_def=daily_partitions if contract.partitioned else None,
        owners=[OWNER],
        tags={"layer": "landing"},
    )
    for name, contract in CONTRACTS.items()
]


def _raw_description(name: str) -> str:
    return (
        f"raw.{name}: the landing files of `{name}` mirrored into the warehouse, "
        "all columns as text, with the file and row each row came from."
    )


def _load_metadata(result: TableLoadResult, source) -> dict:
    return {
        "landing_dir": str(source / result.table),
        "partitions_loaded": len(result.partitions_loaded),
        "partitions_skipped_unchanged": len(result.partitions_skipped),
        "partitions_removed": len(result.partitions_removed),
        "files_loaded": result.files_loaded,
        "rows_loaded": result.rows_loaded,
        "malformed_lines": result.malformed_lines,
        "dagster/row_count": result.rows_in_table,
        "files_with_unknown_columns": len(result.unknown_columns),
    }


@asset(
    key=raw_key("events"),
    deps=[landing_key("events")],
    group_name="raw",
    description=_raw_description("events")
    + " Partitioned by landing date: a run reloads exactly the `date=` folders of its partitions "
    "(and removes the rows of a folder that is gone).",
    kinds={"python", "duckdb"},
    metadata={
        "dagster/column_schema": column_schema("events", landing=False),
        "dagster/table_name": "raw.events",
    },
    partitions_def=daily_partitions,
    backfill_policy=single_run,
    freshness_policy=LANDING_FRESHNESS,
    owners=[OWNER],
    tags={"layer": "raw"},
)
def raw_events(context: AssetExecutionContext, warehouse: WarehouseResource) -> MaterializeResult:
    """Reload the landing folders `events/date=D/` for every D of the run's partitions, and
    the changed files outside `date=` folders (the same files the command line loads)."""
    start, end = partition_date_range(context)
    source = data_dir()
    with warehouse.connect() as con:
        try:
            # Forced: the dates asked for are rebuilt whether or not their files changed.
            result = load_table(
                con, CONTRACTS["events"], source, force=True, mirror_dir=spark_raw_dir(), dates=(start, end)
            )
        except LandingLoadError as exc:
            context.log.error(str(exc))
            raise
    return MaterializeResult(
        metadata={
            **_load_metadata(result, source),
            "first_date": start.isoformat(),
            "last_date": end.isoformat(),
        }
    )


@multi_asset(
    specs=[
        AssetSpec(
            key=raw_key(name),
            deps=[landing_key(name)],
            group_name="raw",
            description=_raw_description(name),
            kinds={"python", "duckdb"},
            metadata={
                "dagster/column_schema": column_schema(name, landing=False),
                "dagster/table_name": f"raw.{name}",
            },
            skippable=True,
            freshness_policy=LANDING_FRESHNESS,
            owners=[OWNER],
            tags={"layer": "raw"},
        )
        for name in SNAPSHOT_TABLES
    ],
    can_subset=True,
    name="raw_tables",
)
def raw_tables(context: AssetExecutionContext, warehouse: WarehouseResource):
    """Load the changed landing files of each selected snapshot table.

    A table with a bad file still loads its other partitions, then fails; its
    raw asset is not materialized, so nothing downstream of it runs.
    """
    failures: list[str] = []
    source = data_dir()
    with warehouse.connect() as con:
        for key in sorted(context.selected_asset_keys):
            name = key.path[-1]
            try:
                result = load_table(con, CONTRACTS[name], source, mirror_dir=spark_raw_dir())
            except LandingLoadError as exc:
                context.log.error(str(exc))
                failures.append(str(exc))
                continue
            yield MaterializeResult(asset_key=key, metadata=_load_metadata(result, source))
    if failures:
        raise RuntimeError("\n".join(failures))
