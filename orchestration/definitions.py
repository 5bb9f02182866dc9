"""The Dagster code location: `dagster dev` finds it through [tool.dagster] in
pyproject.toml, `dagster asset ...` / `dagster job ...` through `-m orchestration.definitions`.

Each concern is a package holding its logic and its Dagster definitions (assets, checks,
jobs, schedules, sensors); this module only assembles them:

    landing/    landing files and raw tables (the loader), landing-date partitions
    transform/  the dbt project as assets, its resource, the build jobs and daily schedule
    checks/     drift and freshness checks, the freshness sensor
    serving/    the serving snapshot BI and the semantic layer read
    reports/    the weekly and monthly reports, their jobs and schedules
    alerts/     the at-risk alert outbox and its sensor
"""

from dagster import Definitions, in_process_executor

from orchestration.alerts import sensors as alerts
from orchestration.alerts.assets import at_risk_outbox
from orchestration.checks import sensors as freshness
from orchestration.checks.definitions import drift_checks, freshness_checks
from orchestration.landing.assets import landing_files, raw_events, raw_tables
from orchestration.predict.assets import predict_assets
from orchestration.reports import schedules as reports
from orchestration.reports.assets import monthly_trend_report, weekly_funnel_review
from orchestration.serving.assets import account_status_pages, bi_dashboards, serving_snapshot
from orchestration.settings import validate_all
from orchestration.transform import jobs as builds
from orchestration.transform.assets import onboarding_dbt, onboarding_dbt_daily, onboarding_dbt_upstream
from orchestration.transform.resources import build_resources

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
        bi_dashboards,
        account_status_pages,
        weekly_funnel_review,
        monthly_trend_report,
        at_risk_outbox,
        *predict_assets,
    ],
    asset_checks=[*drift_checks, *freshness_checks],
    jobs=[*builds.jobs, *reports.jobs, *freshness.jobs, *alerts.jobs],
    schedules=[*builds.schedules, *reports.schedules],
    sensors=[*freshness.sensors, *alerts.sensors],
    resources=build_resources(),
    # Every step writes the same DuckDB file, which takes one writer at a time.
    executor=in_process_executor,
)
