"""The report jobs and their schedules (start stopped: turn them on in the UI, Automation,
or with `dagster schedule start`)."""

from dagster import AssetSelection, DefaultScheduleStatus, ScheduleDefinition, define_asset_job

from orchestration.reports.assets import MONTHLY_REPORT, WEEKLY_REPORT
from orchestration.serving.assets import SERVING_SNAPSHOT

# A report run refreshes the KPI marts, publishes a serving snapshot, and renders the report from it.
_REFRESH = AssetSelection.groups("marts") | AssetSelection.assets(SERVING_SNAPSHOT)

weekly_report_job = define_asset_job(
    name="onboarding_weekly_report",
    selection=_REFRESH | AssetSelection.assets(WEEKLY_REPORT),
    description="Weekly onboarding funnel review: refresh the KPI marts and the serving snapshot, "
    "then write the report (ONBOARDING_REPORTS_DIR).",
)

monthly_report_job = define_asset_job(
    name="onboarding_monthly_report",
    selection=_REFRESH | AssetSelection.assets(MONTHLY_REPORT),
    description="Monthly onboarding trend report: refresh the KPI marts and the serving snapshot, "
    "then write the report (ONBOARDING_REPORTS_DIR).",
)

weekly_report_schedule = ScheduleDefinition(
    name="onboarding_weekly_report_schedule",
    job=weekly_report_job,
    cron_schedule="0 7 * * 1",
    execution_timezone="UTC",
    default_status=DefaultScheduleStatus.STOPPED,
    description="Mondays 07:00 UTC: the weekly onboarding funnel review (refreshes the KPI marts and the "
    "serving snapshot, then writes the report).",
)

monthly_report_schedule = ScheduleDefinition(
    name="onboarding_monthly_report_schedule",
    job=monthly_report_job,
    cron_schedule="0 7 1 * *",
    execution_timezone="UTC",
    default_status=DefaultScheduleStatus.STOPPED,
    description="The 1st of each month 07:00 UTC: the monthly trend report (refreshes the KPI marts and the "
    "serving snapshot, then writes the report).",
)

jobs = [weekly_report_job, monthly_report_job]
schedules = [weekly_report_schedule, monthly_report_schedule]
