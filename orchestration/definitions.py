"""The Dagster code location: `dagster dev`, `dagster asset list` and
`dagster asset materialize` find it through [tool.dagster] in pyproject.toml.

By concern: partitions (orchestration/partitions.py), assets
(orchestration/assets/), checks (orchestration/checks/), jobs, schedules and
sensors (orchestration/jobs.py, orchestration/schedules.py), resources."""

from dagster import Definitions, in_process_executor

from orchestration.assets.alerts import at_risk_outbox
from orchestration.assets.dbt import onboarding_dbt, onboarding_dbt_daily, onboarding_dbt_upstream
from orchestration.assets.landing import landing_files, raw_events, raw_tables
from orchestration.assets.reports import monthly_trend_report, weekly_funnel_review
from orchestration.assets.serving import serving_snapshot
from orchestration.checks.definitions import drift_checks, freshness_checks
from orchestration.jobs import (
    daily_build_job,
    event_partitions_job,
    freshness_job,
    full_build_job,
    monthly_report_job,
    send_alerts_job,
    weekly_report_job,
)
from orchestration.predict.assets import predict_assets
from orchestration.resources import build_resources
from orchestration.schedules import schedules, sensors
from orchestration.settings import validate_all

# Every setting checked before the code location loads: a bad one (an alert URL that is
# not http(s), a date that does not exist ...) stops it here, naming the setting, before
# any run starts.
validate_all()

defs = Definitions(
    assets=[
        *landing_files,
        raw_events,
        raw_tables,
        onboarding_dbt_upstream,
        onboarding_dbt_daily,
        onboarding_dbt,
        serving_snapshot,
        weekly_funnel_review,
        monthly_trend_report,
        at_risk_outbox,
        *predict_assets,
    ],
    asset_checks=[*drift_checks, *freshness_checks],
    jobs=[
        full_build_job,
        daily_build_job,
        event_partitions_job,
        weekly_report_job,
        monthly_report_job,
        freshness_job,
        send_alerts_job,
    ],
    schedules=schedules,
    sensors=sensors,
    resources=build_resources(),
    # Every step writes the same DuckDB file, which takes one writer at a time.
    executor=in_process_executor,
)
