"""Jobs: the daily partitioned build, the full build, the report refreshes, freshness."""

from dagster import AssetKey, AssetSelection, define_asset_job

from orchestration.assets.alerts import OUTBOX
from orchestration.assets.reports import MONTHLY_REPORT, WEEKLY_REPORT
from orchestration.assets.serving import SERVING_SNAPSHOT
from orchestration.checks.definitions import freshness_checks

# The assets partitioned by landing date (materializable ones).
PARTITIONED_EVENT_ASSETS = [
    AssetKey(["raw", "events"]),
    AssetKey(["staging", "base_events"]),
    AssetKey(["staging", "stg_events"]),
    AssetKey(["staging", "stg_quarantine"]),
]

# Freshness checks are evaluated by the freshness sensor, not by the builds.
_FRESHNESS = AssetSelection.checks(*freshness_checks)
_EVERYTHING = AssetSelection.all() - _FRESHNESS
# Every build publishes the serving snapshot and rewrites both reports from it, so what BI,
# the semantic layer and the reports show always follows the marts (the report schedules
# also keep a dated copy of each period's report).
_BUILD = _EVERYTHING

daily_build_job = define_asset_job(
    name="onboarding_daily",
    selection=_BUILD,
    description="One landing date (or a range, in one run) of the event layers, and everything "
    "downstream: the snapshot tables, the account-level models, the KPI marts, the serving "
    "snapshot and both reports, with all checks.",
)

event_partitions_job = define_asset_job(
    name="onboarding_event_partitions",
    selection=AssetSelection.assets(*PARTITIONED_EVENT_ASSETS) - _FRESHNESS,
    description="Only the partitioned event layers (raw, base and staged events, quarantine) of "
    "the chosen landing dates, with their drift checks and dbt tests: quick backfills.",
)

# The daily job's assets; run it with a partition range (see the README) to rebuild every
# date at once.
full_build_job = define_asset_job(
    name="onboarding_full_build",
    selection=_EVERYTHING,
    description="Load the landing zone, build every dbt model with all checks, publish the serving "
    "snapshot and write both reports. Launch it with a partition range covering the landed dates "
    "(make demo does).",
)

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

freshness_job = define_asset_job(
    name="onboarding_freshness",
    selection=_FRESHNESS,
    description="Evaluate the freshness checks (dbt source freshness, partition deadlines).",
)

send_alerts_job = define_asset_job(
    name="onboarding_send_alerts",
    selection=AssetSelection.assets(OUTBOX),
    description="Send the new at-risk alerts (the outbox), never one twice: what the at-risk "
    "alert sensor runs after the alerts mart is rebuilt.",
)
