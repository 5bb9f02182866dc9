"""Production builds do production work (issue: speed at scale): a partition run checks the
event models on the landing dates it rebuilt, not the whole history; a build without a
range checks every row (macros/partition_tests.sql)."""

import re
from pathlib import Path

import pytest

from tests.support.commands import project_env, run_dbt

pytestmark = pytest.mark.slow

EVENT_TEST = "unique_stg_events_event_id"
ACCOUNT_TEST = "unique_stg_accounts_account_id"


def _compiled_tests(tmp_path: Path, **settings: str) -> dict[str, str]:
    env = project_env(tmp_path / "landing", tmp_path / "warehouse.duckdb", **settings)
    target = tmp_path / "target"
    run_dbt(["compile", "--quiet", "-s", EVENT_TEST, ACCOUNT_TEST, "--target-path", str(target)], env)
    return {path.stem: path.read_text() for path in (target / "compiled").rglob("*.sql")}


def _read_from(sql: str) -> str:
    """What the test reads: its `from` line."""
    return re.search(r"^from (.*)$", sql, re.M)[1].strip()


def test_a_partition_run_checks_the_event_models_on_its_rebuilt_dates_only(tmp_path):
    # A day and the 7 days of the dedupe lookback after it (dbt_project.yml), which it rebuilds too.
    compiled = _compiled_tests(
        tmp_path, ONBOARDING_PARTITION_START="2026-01-31", ONBOARDING_PARTITION_END="2026-01-31"
    )
    assert _read_from(compiled[EVENT_TEST]) == (
        '(select * from "warehouse"."staging"."stg_events" '
        "where landing_date between date '2026-01-31' and date '2026-02-07') dbt_subquery"
    )
    # Other tables are not partitioned: checked whole.
    assert _read_from(compiled[ACCOUNT_TEST]) == '"warehouse"."staging"."stg_accounts"'


def test_a_build_without_a_range_checks_every_row(tmp_path):
    compiled = _compiled_tests(tmp_path)
    assert _read_from(compiled[EVENT_TEST]) == '"warehouse"."staging"."stg_events"'
