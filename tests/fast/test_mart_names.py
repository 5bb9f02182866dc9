"""One naming rule for what BI reads (docs/conventions.md, "Naming"), on the dbt manifest:
in every served mart (kpi_, dim_ and the served facts) a dimension has one name, an
account count is `<what>_accounts`, and every table and column is described (the serving
snapshot carries the descriptions to BI tools)."""

import json

import pytest

from orchestration.serving.snapshot import served_tables
from orchestration.transform.resources import dbt_project

# The dimension -> names it must not go by in a served table.
DIMENSION_ALIASES = {
    "segment": {"config_segment", "account_segment", "segment_name"},
    "activation_status": {"activation_cohort", "activation_group", "is_activated_cohort"},
    "variant": {"onboarding_variant", "experiment_arm", "arm"},
    "signup_month": {"signed_up_month", "cohort_month", "signup_cohort"},
    "signup_week": {"signed_up_week", "cohort_week"},
    "plan": {"plan_name"},
    "acquisition_channel": {"channel"},
}
# Facts that describe one account keep the account's own attributes beside the configured
# segment they were measured against (fct_account_onboarding.segment / config_segment).
ACCOUNT_ATTRIBUTES = {"config_segment", "onboarding_variant"}


@pytest.fixture(scope="module")
def served() -> dict[str, dict]:
    manifest = json.loads(dbt_project.manifest_path.read_text())
    names = {table for _, table in served_tables(manifest)}
    return {
        n["name"]: n
        for n in manifest["nodes"].values()
        if n["resource_type"] in ("model", "seed") and n["name"] in names
    }


def test_a_dimension_has_one_name_in_every_served_mart(served):
    wrong = []
    for name, node in sorted(served.items()):
        allowed = ACCOUNT_ATTRIBUTES if name.startswith("fct_") else set()
        for column in node["columns"]:
            for dimension, aliases in DIMENSION_ALIASES.items():
                if column in aliases - allowed:
                    wrong.append(f"{name}.{column} (call it {dimension})")
    assert wrong == [], wrong


def test_account_counts_are_named_what_then_accounts(served):
    wrong = [
        f"{name}.{column}"
        for name, node in sorted(served.items())
        if name.startswith("kpi_")
        for column in node["columns"]
        if column.startswith("accounts_") or column.endswith("_account_count")
    ]
    assert wrong == [], wrong


def test_every_served_table_and_column_is_described(served):
    missing = [name for name, node in served.items() if not node["description"].strip()]
    missing += [
        f"{name}.{column}"
        for name, node in sorted(served.items())
        for column, doc in node["columns"].items()
        if not doc.get("description", "").strip()
    ]
    assert missing == [], missing
