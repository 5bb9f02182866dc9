"""Your own data, end to end (issue 16): the documented paths (docs/own-data.md, recipes
`own-data`: `make load build DATA=$HOME/my-events`, and `own-data-dagster`: `make run
DATA=$HOME/my-events`) run literally in a fresh shell (no activated virtualenv, no exported
settings but where the outputs go) on the sample generator's second profile, `community`
(onboarding_sample/community.py), shaped like a real history nobody here wrote: one undated
events file, sparse events with long tails, automated badges and e-mails, no subscriptions,
no surveys, a misnamed folder. The seeds describe its events as a user writes them: a
milestone that is any of two events, one defined by a taxonomy category, a `system`
category. Every figure against a plain-Python reading of the file; the Dagster run's
warehouse against the dbt build's, table for table.
"""

from __future__ import annotations

import csv
import datetime as dt
import shutil
import subprocess
from collections import defaultdict

import duckdb
import pytest
from dagster import AssetKey, DagsterInstance

from onboarding_sample.community import EVENTS_FILE
from orchestration.summary import summary_lines
from tests.support.commands import ONBOARDING, REPO_ROOT
from tests.support.readme_recipes import run_recipe
from tests.support.rebuild_equivalence import compare_warehouses

pytestmark = pytest.mark.slow

REASON = "no subscription data: revenue and logo retention not computed"
CORE = {"question_posted", "answer_posted", "comment_posted"}
NOT_USAGE = {"badge_awarded", "digest_email_sent"}  # category system


def _checkout(project) -> None:
    """Every tracked file of the project, and its virtualenv and tools, as a user's clone."""
    tracked = subprocess.run(
        ["git", "ls-files", "-z"], cwd=REPO_ROOT, capture_output=True, text=True, check=True
    ).stdout.split("\0")
    for name in filter(None, tracked):
        source = REPO_ROOT / name
        if source.is_file():
            (project / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, project / name)
    for shared in (".venv", ".tools"):
        if (REPO_ROOT / shared).exists():
            (project / shared).symlink_to(REPO_ROOT / shared)


def _outputs(folder) -> dict[str, str]:
    """Where a build writes. The checkout shares the repository's virtualenv, whose
    `onboarding` and Dagster would resolve relative paths, and import the project (its dbt
    project and seeds), from the repository it was installed from: every output path is
    named, and the checkout comes first on the import path, as its own install would."""
    return {
        "ONBOARDING_WAREHOUSE": str(folder / "own.duckdb"),
        "ONBOARDING_SERVING_DIR": str(folder / "serving"),
        "ONBOARDING_REPORTS_DIR": str(folder / "reports"),
        "ONBOARDING_TEMP_DIR": str(folder / "tmp"),
    }


@pytest.fixture(scope="module")
def own(tmp_path_factory):
    root = tmp_path_factory.mktemp("own-data")
    project = root / "project"
    _checkout(project)
    home = root / "home"
    landing = home / "my-events"
    # The generator's second profile (docs/own-data.md), its last four months: a Dagster
    # run writes a few records per landing date, and a decade's 3,650 dates take 17 minutes
    # (BENCHMARKS.md; the decade's partitions: tests/fast/test_own_data.py).
    command = [ONBOARDING, "sample", "community", "--out", str(landing), "--members", "60",
               "--months", "3", "--seeds-into", str(project / "seeds")]  # fmt: skip
    subprocess.run(command, check=True, capture_output=True, timeout=120)
    python_path = {"PYTHONPATH": str(project)}
    output = run_recipe("own-data", project, {**_outputs(root / "warehouse"), **python_path}, home)
    dagster = run_recipe("own-data-dagster", project, {**_outputs(root / "dagster"), **python_path}, home)
    return {
        "root": root,
        "project": project,
        "landing": landing,
        "warehouse": root / "warehouse" / "own.duckdb",
        "output": output,
        "dagster_warehouse": root / "dagster" / "own.duckdb",
        "dagster_output": dagster,
    }


def _query(own, sql: str) -> list[tuple]:
    with duckdb.connect(str(own["warehouse"]), read_only=True) as con:
        return con.execute(sql).fetchall()


def _landed(own):
    """Accounts' sign-ups and the plausible events, read from the files."""
    with open(own["landing"] / "accounts" / "members.csv", newline="") as handle:
        signed_up = {
            r["account_id"]: dt.datetime.fromisoformat(r["signed_up_at"]) for r in csv.DictReader(handle)
        }
    events = []
    with open(own["landing"] / EVENTS_FILE, newline="") as handle:
        for row in csv.DictReader(handle):
            try:
                at = dt.datetime.fromisoformat(row["occurred_at"])
            except ValueError:
                continue
            if at.year >= 2015 and at >= signed_up[row["account_id"]]:
                events.append((row["account_id"], at, row["event_id"], row["event_name"]))
    return signed_up, sorted(events, key=lambda e: (e[0], e[1], e[2]))


def test_the_documented_path_builds_a_folder_of_files_in_a_fresh_shell(own):
    """The recipe ran (load, dbt build, publish, reports) with nothing but make in PATH; the
    undated file loaded whole and its two implausible rows are quarantined with reasons."""
    assert "warehouse:" in own["output"]
    ((raw,),) = _query(own, "select count(*) from raw.events")
    with open(own["landing"] / EVENTS_FILE, newline="") as handle:
        assert raw == sum(1 for _ in csv.DictReader(handle))
    quarantined = _query(
        own, "select record_key, quarantine_reason from staging.stg_quarantine where source_table = 'events'"
    )
    assert sorted(key for key, _ in quarantined) == ["ev-bad-1900", "ev-bad-text"], quarantined
    assert (own["root"] / "warehouse" / "reports" / "monthly_trend_report.html").exists()


def test_milestones_any_of_several_events_and_by_category_match_a_python_reading(own):
    """first_post = the first question or answer; five_contributions = the fifth core action
    (category:core_action), badges and digests never counting; the reaching event for every
    member, against the file."""
    signed_up, events = _landed(own)
    expected = {}
    for account in signed_up:
        mine = [e for e in events if e[0] == account]
        posts = [e[2] for e in mine if e[3] in {"question_posted", "answer_posted"}]
        core = [e[2] for e in mine if e[3] in CORE]
        expected[(account, "first_post")] = posts[0] if posts else None
        expected[(account, "five_contributions")] = core[4] if len(core) >= 5 else None
    got = _query(
        own,
        "select account_id, milestone_name, reached_by_event_id from intermediate.int_account_milestones "
        "where milestone_name in ('first_post', 'five_contributions')",
    )
    assert {(a, m): e for a, m, e in got} == expected
    assert sum(e is not None for e in expected.values()) >= 10  # the rule is exercised


def test_system_events_are_neither_usage_nor_activity(own):
    """Weeks with only badges or digest e-mails are not usage weeks; first activity is never
    a system event."""
    signed_up, events = _landed(own)
    weeks = {
        (a, (at - signed_up[a]) // dt.timedelta(days=7)) for a, at, _, name in events if name not in NOT_USAGE
    }
    got = _query(own, "select account_id, week_number from intermediate.int_account_weekly_usage")
    assert set(got) == weeks
    first = defaultdict(lambda: None)
    for account, at, _, name in events:
        if name not in NOT_USAGE and first[account] is None:
            first[account] = at
    activity = _query(own, "select account_id, first_activity_at from marts.fct_account_engagement")
    assert {a: t for a, t in activity} == {a: first[a] for a in signed_up}


def test_without_subscriptions_retention_and_revenue_are_null_with_the_reason(own):
    logo = _query(
        own,
        "select distinct retained_accounts, retention_rate, not_computed_reason "
        "from marts.kpi_retention_by_activation where period_kind = 'logo_day'",
    )
    assert logo == [(None, None, REASON)]
    usage = _query(
        own,
        "select count(*), count(retention_rate) from marts.kpi_retention_by_activation "
        "where period_kind = 'usage_week' and not_computed_reason is null",
    )
    assert usage[0][0] > 0 and usage[0][1] > 0  # usage retention is still computed
    assert _query(own, "select count(*) from marts.kpi_mrr_monthly") == [(0,)]
    assert _query(own, "select count(*) from marts.kpi_nrr_by_signup_cohort") == [(0,)]
    assert _query(own, "select count(*) from marts.kpi_expansion_by_activation") == [(0,)]
    report = (own["root"] / "warehouse" / "reports" / "monthly_trend_report.html").read_text()
    assert REASON in report
    with duckdb.connect(str(own["warehouse"]), read_only=True) as con:
        assert f"  {REASON}" in summary_lines(con)


def test_a_dagster_run_of_the_whole_landed_range_builds_the_same_warehouse(own):
    """`make run DATA=...` (recipe own-data-dagster): one Dagster run of every asset over
    every landed date, the partitions following the undated events file from its first
    plausible received day; every table equals the one `make load build` built from the
    same files (the load times aside; the run also writes the at-risk alerts' outbox, which
    `make build` does not send)."""
    assert "run succeeded" in own["dagster_output"], own["dagster_output"][-3000:]
    received = []
    with open(own["landing"] / EVENTS_FILE, newline="") as handle:
        for row in csv.DictReader(handle):
            try:
                received.append(dt.datetime.fromisoformat(row["received_at"]).date())
            except ValueError:
                continue
    plausible = [day for day in received if day.year >= 2015]
    landed = {
        (min(plausible) + dt.timedelta(days=n)).isoformat()
        for n in range((max(plausible) - min(plausible)).days + 1)
    }
    with DagsterInstance.from_config(str(own["project"] / ".dagster_home")) as instance:
        (run,) = instance.get_runs()
        materialized = instance.get_materialized_partitions(AssetKey(["raw", "events"]))
    assert run.tags["dagster/asset_partition_range_start"] == min(plausible).isoformat()
    assert materialized == landed
    differences = compare_warehouses(
        own["dagster_warehouse"], own["warehouse"], only_one={"alerts.at_risk_outbox"}
    )
    assert differences == [], "\n".join(differences)
