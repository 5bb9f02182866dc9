"""The serving assets: the snapshot of the KPI marts, published for BI after every build,
and the onboarding status page of every account (orchestration/serving/status_pages.py).

See orchestration/serving/snapshot.py for how a snapshot is written and swapped in."""

import json

from dagster import AssetExecutionContext, AssetKey, MaterializeResult, MetadataValue, asset

from orchestration.lib import markdown_table
from orchestration.serving import dashboards, status_pages
from orchestration.serving.snapshot import parquet_current, publish_snapshot, served_tables, serving_file
from orchestration.transform.resources import WarehouseResource, dbt_project

SERVING_SNAPSHOT = AssetKey(["serving", "snapshot"])
STATUS_PAGES = AssetKey(["serving", "status_pages"])
DASHBOARDS = AssetKey(["serving", "dashboards"])
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


@asset(
    key=STATUS_PAGES,
    deps=[
        AssetKey(["marts", "fct_at_risk_alerts"]),
        AssetKey(["marts", "fct_account_health"]),
        AssetKey(["predict", "fct_account_propensity"]),
    ],
    group_name="serving",
    owners=["team:analytics-engineering"],
    kinds={"html"},
    description="One self-contained onboarding status page per account in the serving folder "
    "(accounts/<md5 of the id>.html, linked from each alert): milestones against their expected days, "
    "sessions, signals, alerts, propensity and health over time.",
)
def account_status_pages(context: AssetExecutionContext, warehouse: WarehouseResource) -> MaterializeResult:
    with warehouse.connect(read_only=True) as con:
        written = status_pages.render_pages(con, status_pages.status_dir().parent)
    context.log.info(f"{written.pages} status pages in {written.folder}")
    return MaterializeResult(
        metadata={
            "pages": written.pages,
            "removed": written.removed,
            "folder": MetadataValue.path(str(written.folder)),
            "index": MetadataValue.path(str(written.folder / "index.html")),
        }
    )


@asset(
    key=DASHBOARDS,
    deps=[SERVING_SNAPSHOT],
    group_name="serving",
    owners=["team:analytics-engineering"],
    kinds={"html"},
    description="The BI starter's dashboards (bi/dashboards.yml) drawn on the published snapshot: one "
    "self-contained page per dashboard in the serving folder (dashboards/<name>.html), each tile with the "
    "SQL to paste into a BI tool.",
)
def bi_dashboards(context: AssetExecutionContext) -> MaterializeResult:
    pages = dashboards.render_dashboards()
    context.log.info(f"{len(pages)} dashboards in {pages[0].parent if pages else '-'}")
    return MaterializeResult(
        metadata={
            "pages": len(pages),
            "index": MetadataValue.path(str(dashboards.serving_dir() / dashboards.FOLDER / "index.html")),
        }
    )
