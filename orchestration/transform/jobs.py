"""The build jobs and the daily schedule: one landing date (or a range) of the event
layers and everything downstream, the full build, the event partitions alone."""

from dagster import (
    AssetKey,
    AssetSelection,
    DefaultScheduleStatus,
    build_schedule_from_partitioned_job,
    define_asset_job,
)

from orchestration.checks.definitions import freshness_checks

# The assets partitioned by landing date (materializable ones).
PARTITIONED_EVENT_ASSETS = [
    AssetKey(["raw", "events"]),
    AssetKey(["staging", "base_events"]),
    AssetKey(["staging", "stg_events"]),
    AssetKey(["staging", "stg_quarantine"]),
]

# Freshness checks are evaluated by the freshness sensor, not by the builds.
FRESHNESS = AssetSelection.checks(*freshness_checks)
# Every build publishes the serving snapshot and rewrites both reports from it, so what BI,
# the semantic layer and the reports show always follows the marts (the report schedules
# also keep a dated copy of each period's report).
EVERYTHING = AssetSelection.all() - FRESHNESS

daily_build_job = define_asset_job(
    name="onboarding_daily",
    selection=EVERYTHING,
    description="One landing date (or a range, in one run) of the event layers, and everything "
    "downstream: the snapshot tables, the account-level models, the KPI marts, the serving "
    "snapshot and both reports, with all checks.",
)

event_partitions_job = define_asset_job(
    name="onboarding_event_partitions",
    selection=AssetSelection.assets(*PARTITIONED_EVENT_ASSETS) - FRESHNESS,
    description="Only the partitioned event layers (raw, base and staged events, quarantine) of "
    "the chosen landing dates, with their drift checks and dbt tests: quick backfills.",
)

# The daily job's assets; run it with a partition range (see the docs) to rebuild every
# date at once.
full_build_job = define_asset_job(
    name="onboarding_full_build",
    selection=EVERYTHING,
    description="Load the landing zone, build every dbt model with all checks, publish the serving "
    "snapshot and write both reports. Launch it with a partition range covering the landed dates "
    "(make demo does).",
)

# 01:30 UTC: yesterday's landing date is complete (the partition of a day
# exists once the day is over), and everything downstream is rebuilt.
daily_schedule = build_schedule_from_partitioned_job(
    daily_build_job,
    name="onboarding_daily_schedule",
    hour_of_day=1,
    minute_of_hour=30,
    default_status=DefaultScheduleStatus.STOPPED,
    description="Every day at 01:30 UTC: yesterday's landing date and everything downstream.",
)

jobs = [full_build_job, daily_build_job, event_partitions_job]
schedules = [daily_schedule]
