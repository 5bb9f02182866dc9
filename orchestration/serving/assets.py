"""The serving snapshot asset: the KPI marts, published for BI after every build.

See orchestration/serving.py for how a snapshot is written and swapped in."""

import json

from dagster import AssetExecutionContext, AssetKey, MaterializeResult, MetadataValue, asset

from orchestration.lib import markdown_table
from orchestration.serving.snapshot import parquet_current, publish_snapshot, served_tables, serving_file
from orchestration.transform.resources import dbt_project

SERVING_SNAPSHOT = AssetKey(["serving", "snapshot"])
SERVED = served_tables(json.loads(dbt_project.manifest_path.read_text()))


@asset(
    key=SERVING_SNAPSHOT,
    group_name="serving",
    deps=[AssetKey([schema, table]) for schema, table in SERVED],
    owners=["team:analytics-engineering"],
    kinds={"duckdb", "parquet"},
    description="The KPI marts, dimensions and account facts BI reads, published to a separate "
    "DuckDB file and Parquet files with an atomic rename (readers never see half a snapshot, "
    "and never block the pipeline). Table serving_snapshot names the snapshot.",
)
def serving_snapshot(context: AssetExecutionContext) -> MaterializeResult:
    snapshot = publish_snapshot(SERVED, context.run.run_id)
    context.log.info(f"published snapshot {snapshot.snapshot_id} to {snapshot.serving_file}")
    rows = [(table, count) for table, count in snapshot.row_counts.items()]
    return MaterializeResult(
        metadata={
            "snapshot_id": snapshot.snapshot_id,
            "data_as_of": str(snapshot.data_as_of),
            "serving_file": MetadataValue.path(str(serving_file())),
            "parquet_folder": MetadataValue.path(str(parquet_current())),
            "tables": len(rows),
            "rows": MetadataValue.md(markdown_table(["table", "rows"], rows)),
        }
    )
