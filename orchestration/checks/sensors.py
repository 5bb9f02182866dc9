"""Evaluating the freshness checks: the job and the sensor that runs it every 30 minutes
(starts stopped: turn it on in the UI, Automation, or `dagster sensor start`)."""

import datetime as dt

from dagster import (
    AssetSelection,
    DefaultSensorStatus,
    RunRequest,
    SensorEvaluationContext,
    define_asset_job,
    sensor,
)

from orchestration.checks.definitions import freshness_checks

freshness_job = define_asset_job(
    name="onboarding_freshness",
    selection=AssetSelection.checks(*freshness_checks),
    description="Evaluate the freshness checks (dbt source freshness, partition deadlines).",
)

FRESHNESS_INTERVAL_SECONDS = 30 * 60


def freshness_run_key(now: dt.datetime, interval_seconds: int = FRESHNESS_INTERVAL_SECONDS) -> str:
    """One run per interval, whatever how often the sensor is ticked."""
    bucket = int(now.timestamp()) // interval_seconds * interval_seconds
    return "freshness-" + dt.datetime.fromtimestamp(bucket, dt.UTC).strftime("%Y-%m-%dT%H:%M")


@sensor(
    name="onboarding_freshness_sensor",
    job=freshness_job,
    minimum_interval_seconds=FRESHNESS_INTERVAL_SECONDS,
    default_status=DefaultSensorStatus.STOPPED,
    description="Every 30 minutes: evaluate the freshness checks (dbt source freshness of raw.events, "
    "yesterday's landing date of the event assets by 06:00 UTC).",
)
def freshness_sensor(context: SensorEvaluationContext):
    yield RunRequest(run_key=freshness_run_key(dt.datetime.now(dt.UTC)))


jobs = [freshness_job]
sensors = [freshness_sensor]
