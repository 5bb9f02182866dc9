"""The Dagster code location: `dagster dev`, `dagster asset list` and
`dagster asset materialize` find it through [tool.dagster] in pyproject.toml."""

from dagster import Definitions, in_process_executor

from orchestration.assets.dbt import onboarding_dbt
from orchestration.assets.landing import landing_files, raw_tables
from orchestration.jobs import full_build_job
from orchestration.resources import build_resources

defs = Definitions(
    assets=[*landing_files, raw_tables, onboarding_dbt],
    jobs=[full_build_job],
    resources=build_resources(),
    # Every step writes the same DuckDB file, which takes one writer at a time.
    executor=in_process_executor,
)
