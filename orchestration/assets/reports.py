"""The report assets: the weekly onboarding funnel review and the monthly trend report,
rendered from the serving snapshot the same run published (orchestration/reports/)."""

from dagster import AssetExecutionContext, AssetKey, MaterializeResult, MetadataValue, asset

from orchestration.assets.serving import SERVING_SNAPSHOT
from orchestration.lib import markdown_table
from orchestration.reports.build import BUILDERS, write_report
from orchestration.serving import connect_serving

WEEKLY_REPORT = AssetKey(["reports", "weekly_funnel_review"])
MONTHLY_REPORT = AssetKey(["reports", "monthly_trend_report"])


def _materialize(context: AssetExecutionContext, kind: str) -> MaterializeResult:
    with connect_serving() as con:
        report = BUILDERS[kind](con)
    dated, latest = write_report(report)
    context.log.info(f"{kind} report, {report.period.label}: {dated}")
    rows = [(name, fmt(now), fmt(before)) for name, now, before, fmt, _ in report.key_metrics]
    return MaterializeResult(
        metadata={
            "period": report.period.label,
            "report": MetadataValue.path(str(dated)),
            "latest": MetadataValue.path(str(latest)),
            "snapshot_id": report.snapshot_id,
            "key_metrics": MetadataValue.md(markdown_table(["metric", "period", "previous"], rows)),
        }
    )


REPORT_ASSET_SETTINGS = {
    "group_name": "reports",
    "deps": [SERVING_SNAPSHOT],
    "owners": ["team:analytics-engineering"],
    "kinds": {"html"},
}


@asset(
    key=WEEKLY_REPORT,
    description="Weekly onboarding funnel review (self-contained HTML): the last complete week against "
    "the week before, funnel drop-offs, feedback, action items. Mondays 07:00 UTC.",
    **REPORT_ASSET_SETTINGS,
)
def weekly_funnel_review(context: AssetExecutionContext) -> MaterializeResult:
    return _materialize(context, "weekly")


@asset(
    key=MONTHLY_REPORT,
    description="Monthly onboarding trend report (self-contained HTML): the last complete month against "
    "the month before, cohort trends, revenue, funnel, feedback, action items. The 1st, 07:00 UTC.",
    **REPORT_ASSET_SETTINGS,
)
def monthly_trend_report(context: AssetExecutionContext) -> MaterializeResult:
    return _materialize(context, "monthly")
