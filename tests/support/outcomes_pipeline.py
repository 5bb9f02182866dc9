"""A generated year and more, for the outcome marts that need six or twelve months
of history (revenue, milestone discovery) and for an experiment large enough that
its confidence interval is informative: 1,500 accounts over 400 days, with light
background activity (the outcomes depend on the planted milestones and
subscriptions, not on how busy the accounts are). Only the outcome marts and what
they read are built. The `outcomes` fixture in conftest.py builds it once."""

import json
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pyarrow.parquet as pq

from tests.support.commands import (
    ONBOARDING,
    generate_sample,
    load_landing,
    project_env,
    run_command,
    run_dbt,
)

ACCOUNTS, DAYS, SEED, START, ACTIVITY = 1500, 400, 3, "2025-09-01", "0.3"
MARTS = [
    "kpi_expansion_by_activation",
    "kpi_mrr_monthly",
    "kpi_nrr_by_signup_cohort",
    "kpi_activation_candidates",
    "kpi_onboarding_experiments",
]
# Predict and act (tests/pipeline/test_predict.py): the propensity's features, then what reads the
# predictions: the alerts with their outreach, and the health score.
FEATURES = [
    "fct_account_day_features",
    "fct_account_risk_signals",
    "int_account_alert_days",
    "fct_account_retention",
    "fct_account_milestones",
    "fct_account_engagement",
]
PREDICTED = ["kpi_rescue_by_outreach_delay", "kpi_health_retention"]


@dataclass
class Outcomes:
    data_dir: Path
    warehouse: Path
    accounts: list[dict]
    summary: dict

    def query(self, sql: str) -> list[tuple]:
        with duckdb.connect(str(self.warehouse), read_only=True) as con:
            return con.execute(sql).fetchall()


def build_outcomes(root: Path) -> Outcomes:
    data_dir = generate_sample(
        root / "landing", ACCOUNTS, DAYS, SEED, "--start", START, "--activity", ACTIVITY
    )
    warehouse = root / "warehouse" / "onboarding.duckdb"
    warehouse.parent.mkdir(parents=True)
    env = project_env(data_dir, warehouse)
    load_landing(env)
    selection = [f"+{name}" for name in [*MARTS, *FEATURES]]
    # Models and seeds only: their tests run in the shared build; here only values matter.
    quiet = ["--quiet", "--exclude-resource-type", "test", "unit_test"]
    run_dbt(["build", *quiet, "-s", *selection, "+stg_surveys", "resource_type:seed"], env)
    # The prediction step and the marts reading it (orchestration/predict/), as `make build`.
    run_command([ONBOARDING, "predict"], env)
    run_dbt(["build", *quiet, "-s", *[f"source:predict+,+{name}" for name in PREDICTED]], env)
    accounts = pq.read_table(data_dir / "_truth" / "accounts.parquet").to_pylist()
    summary = json.loads((data_dir / "_truth" / "summary.json").read_text())
    return Outcomes(data_dir, warehouse, accounts, summary)
