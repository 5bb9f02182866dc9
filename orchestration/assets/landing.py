"""The landing files (external assets) and the raw tables loaded from them."""

from dagster import AssetExecutionContext, AssetKey, AssetSpec, MaterializeResult, multi_asset

from orchestration.landing import LandingLoadError, load_contracts, load_table
from orchestration.lib import data_dir
from orchestration.resources import WarehouseResource

CONTRACTS = load_contracts()


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
        metadata={"required_columns": ", ".join(sorted(contract.required))},
    )
    for name, contract in CONTRACTS.items()
]


@multi_asset(
    specs=[
        AssetSpec(
            key=raw_key(name),
            deps=[landing_key(name)],
            group_name="raw",
            description=f"raw.{name}: the landing files of `{name}` mirrored into the warehouse, "
            "all columns as text, with the file and row each row came from.",
            kinds={"python", "duckdb"},
            skippable=True,
        )
        for name in CONTRACTS
    ],
    can_subset=True,
    name="raw_tables",
)
def raw_tables(context: AssetExecutionContext, warehouse: WarehouseResource):
    """Load the changed landing partitions of each selected table.

    A table with a bad file still loads its other partitions, then fails; its
    raw asset is not materialized, so nothing downstream of it runs.
    """
    failures: list[str] = []
    source = data_dir()
    with warehouse.connect() as con:
        for key in sorted(context.selected_asset_keys):
            name = key.path[-1]
            try:
                result = load_table(con, CONTRACTS[name], source)
            except LandingLoadError as exc:
                context.log.error(str(exc))
                failures.append(str(exc))
                continue
            yield MaterializeResult(
                asset_key=key,
                metadata={
                    "landing_dir": str(source / name),
                    "partitions_loaded": len(result.partitions_loaded),
                    "partitions_skipped_unchanged": len(result.partitions_skipped),
                    "partitions_removed": len(result.partitions_removed),
                    "files_loaded": result.files_loaded,
                    "rows_loaded": result.rows_loaded,
                    "malformed_lines": result.malformed_lines,
                    "dagster/row_count": result.rows_in_table,
                    "files_with_unknown_columns": len(result.unknown_columns),
                },
            )
    if failures:
        raise RuntimeError("\n".join(failures))
