"""Jobs: the daily partitioned build, the full build, the report refreshes, freshness."""

from dagster import AssetKey, AssetSelection, define_asset_job

from orchestration.assets.alerts import OUTBOX
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
_BUILD = AssetSelection.all() - _FRESHNESS

daily_build_job = define_asset_job(
    name="onboarding_daily",
    selection=_BUILD,
    description="One landing date (or a range, in one run) of the event layers, and everything "
    "downstream: the snapshot tables, the account-level models and the KPI marts, with all checks.",
)

event_partitions_job = define_asset_job(
    name="onboarding_event_partitions",
    selection=AssetSelection.assets(*PARTITIONED_EVENT_ASSETS) - _FRESHNESS,
    description="Only the partitioned event layers (raw, base and staged events, quarantine) of "
    "the chosen landing dates, with their drift checks and dbt tests: quick backfills.",
)

# Same assets as the daily job; run it with a partition range (see the README) to rebuild every date at once.
full_build_job = define_asset_job(
    name="onboarding_full_build",
    selection=_BUILD,
    description="Load the landing zone and build every dbt model, with all checks. Launch it with "
    "a partition range covering the landed dates (make demo does).",
)

# The report refreshes rebuild the KPI marts (the reports themselves read them).
reports_selection = AssetSelection.groups("marts")

weekly_report_job = define_asset_job(
    name="onboarding_weekly_report",
    selection=reports_selection,
    description="Weekly onboarding funnel review: refresh the KPI marts it reads.",
)

monthly_report_job = define_asset_job(
    name="onboarding_monthly_report",
    selection=reports_selection,
    description="Monthly onboarding trend report: refresh the KPI marts it reads.",
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
