"""Schedules and sensors. All start stopped: turn them on in the UI
(Automation) or with `dagster schedule start` / `dagster sensor start`."""

from __future__ import annotations

import datetime as dt

from dagster import (
    DefaultScheduleStatus,
    DefaultSensorStatus,
    RunRequest,
    ScheduleDefinition,
    SensorEvaluationContext,
    build_schedule_from_partitioned_job,
    sensor,
)

from orchestration.assets.alerts import ALERTS_MART, OUTBOX
from orchestration.jobs import (
    daily_build_job,
    freshness_job,
    monthly_report_job,
    send_alerts_job,
    weekly_report_job,
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


def alerts_run_key(mart_materialized_at: float | None, outbox_materialized_at: float | None) -> str | None:
    """A run key when the alerts mart was rebuilt after the outbox last ran, else None."""
    if mart_materialized_at is None:
        return None
    if outbox_materialized_at is not None and outbox_materialized_at >= mart_materialized_at:
        return None
    return f"alerts-{mart_materialized_at:.6f}"


@sensor(
    name="onboarding_at_risk_alert_sensor",
    job=send_alerts_job,
    minimum_interval_seconds=60,
    default_status=DefaultSensorStatus.STOPPED,
    description="After the at-risk alerts mart is rebuilt (by any job, or from the UI) and the "
    "outbox has not run since: send the new alerts.",
)
def at_risk_alert_sensor(context: SensorEvaluationContext):
    mart = context.instance.get_latest_materialization_event(ALERTS_MART)
    outbox = context.instance.get_latest_materialization_event(OUTBOX)
    run_key = alerts_run_key(mart and mart.timestamp, outbox and outbox.timestamp)
    if run_key:
        yield RunRequest(run_key=run_key)


schedules = [daily_schedule, weekly_report_schedule, monthly_report_schedule]
sensors = [freshness_sensor, at_risk_alert_sensor]
