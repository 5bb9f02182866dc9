"""Sending the alerts: the job and the sensor that runs it after the alerts mart is
rebuilt (starts stopped: turn it on in the UI, Automation, or `dagster sensor start`)."""

from dagster import (
    AssetSelection,
    DefaultSensorStatus,
    RunRequest,
    SensorEvaluationContext,
    define_asset_job,
    sensor,
)

from orchestration.alerts.assets import ALERTS_MART, OUTBOX

send_alerts_job = define_asset_job(
    name="onboarding_send_alerts",
    selection=AssetSelection.assets(OUTBOX),
    description="Send the new at-risk alerts (the outbox), never one twice: what the at-risk "
    "alert sensor runs after the alerts mart is rebuilt.",
)


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


jobs = [send_alerts_job]
sensors = [at_risk_alert_sensor]
