"""The report assets: the weekly onboarding funnel review and the monthly trend report,
rendered from the serving snapshot the same run published (orchestration/reports/)."""

from dagster import AssetExecutionContext, AssetKey, MaterializeResult, MetadataValue, asset

from orchestration.lib import markdown_table
from orchestration.reports.build import BUILDERS, write_report
from orchestration.serving.assets import SERVING_SNAPSHOT
from orchestration.serving.snapshot import connect_serving

WEEKLY_REPORT = AssetKey(["reports", "weekly_funnel_review"])
MONTHLY_REPORT = AssetKey(["reports", "monthly_trend_report"])


def _materialize(context: AssetExecutionContext, kind: str) -> MaterializeResult:
    with connect_serving() as con:
        report = BUILDERS[kind](con)
    dated, latest = write_report(report)
    context.log.info(f"{kind} report, {report.period.label}: {dated}")
    rows = [(m.name, m.shown_current, m.shown_previous) for m in report.key_metrics]
    return MaterializeResult(
        metadata={
            "period": report.period.label,
            "report": MetadataValue.path(str(dated)),
            "latest": MetadataValue.path(str(latest)),
            "snapshot_id": report.snapshot_id,
            "key_metrics": MetadataValue.md(markdown_table(["metric", "period", "previous"], rows)),
        }
    )


def _report_asset(key: AssetKey, kind: str, description: str):
    @asset(
        key=key,
        group_name="reports",
        deps=[SERVING_SNAPSHOT],
        owners=["team:analytics-engineering"],
        kinds={"html"},
        description=description,
    )
    def report(context: AssetExecutionContext) -> MaterializeResult:
        return _materialize(context, kind)

    return report


weekly_funnel_review = _report_asset(
    WEEKLY_REPORT,
    "weekly",
    "Weekly onboarding funnel review (self-contained HTML): the last complete week against the week "
    "before, funnel drop-offs, feedback, action items. Mondays 07:00 UTC.",
)
monthly_trend_report = _report_asset(
    MONTHLY_REPORT,
    "monthly",
    "Monthly onboarding trend report (self-contained HTML): the last complete month against the month "
    "before, cohort trends, revenue, funnel, feedback, action items. The 1st, 07:00 UTC.",
)
