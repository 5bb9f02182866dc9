"""The whole dbt path on generated data, checked against the generator's ground truth."""

import shutil
from pathlib import Path

import duckdb
import pytest

from tests.support.built_pipeline import INJECTED, INJECTED_FILES
from tests.support.commands import project_env, run_dbt
from tests.support.killing import run_dbt_killed_in_write

pytestmark = pytest.mark.slow

QUARANTINE_REASONS = [
    "missing_account_id",
    "unknown_account",
    "invalid_occurred_at",
    "occurred_after_received",
    "invalid_properties",
    "duplicate_event_id",
]


def test_activation_fact_equals_ground_truth_for_every_account(built):
    mismatches = built.query(f"""
        with truth as (select * from {built.truth("accounts")}),
        fact as (select * from marts.fct_account_onboarding)
        select
            coalesce(truth.account_id, fact.account_id) as account_id,
            truth.activated_at, fact.activated_at,
            truth.is_activated_in_window, fact.is_activated_in_window,
            truth.is_activation_window_mature, fact.is_activation_window_mature,
            truth.first_value_at, fact.first_value_at,
            truth.config_segment, fact.config_segment
        from truth full outer join fact on truth.account_id = fact.account_id
        where truth.account_id is null or fact.account_id is null
            or truth.activated_at is distinct from fact.activated_at
            or truth.is_activated_in_window is distinct from fact.is_activated_in_window
            or truth.is_activation_window_mature is distinct from fact.is_activation_window_mature
            or truth.first_value_at is distinct from fact.first_value_at
            or truth.config_segment is distinct from fact.config_segment
        limit 10
    """)
    assert mismatches == []
    accounts, activated, immature = built.query(
        "select count(*), count_if(is_activated_in_window), count_if(not is_activation_window_mature) "
        "from marts.fct_account_onboarding"
    )[0]
    # The comparison is only meaningful if the data holds every kind of account.
    assert accounts == built.summary["counts"]["accounts_written"] >= 300
    assert 0 < activated < accounts and 0 < immature < accounts


def test_every_milestone_equals_ground_truth(built):
    mismatches = built.query(f"""
        with truth as (select * from {built.truth("account_milestones")}),
        model as (select * from intermediate.int_account_milestones)
        select
            coalesce(truth.account_id, model.account_id),
            coalesce(truth.milestone_name, model.milestone_name),
            truth.reached_at,
            model.reached_at
        from truth full outer join model
            on truth.account_id = model.account_id and truth.milestone_name = model.milestone_name
        where truth.reached_at is distinct from model.reached_at
            or truth.account_id is null or model.account_id is null
        limit 10
    """)
    assert mismatches == []


def test_as_of_is_the_latest_arrival_of_a_usable_event(built):
    (as_of,) = built.query("select as_of_at from intermediate.int_as_of")[0]
    assert as_of.isoformat(sep=" ", timespec="milliseconds").startswith(
        built.summary["as_of"].replace("T", " ").rstrip("Z")[:23]
    )


def test_quarantine_holds_exactly_the_planted_and_injected_bad_rows(built):
    counted = {
        (table, reason): rows
        for table, reason, rows in built.query(
            "select source_table, quarantine_reason, count(*) from staging.stg_quarantine group by all"
        )
    }
    planted = {("events", reason): built.summary["counts"][reason] for reason in QUARANTINE_REASONS}
    assert all(planted.values()), f"the generator planted no rows of some kind: {planted}"
    assert counted == planted | INJECTED


def test_hostile_file_names_reach_the_quarantine_verbatim(built):
    """The injected rows sit in files with hostile names (tests/support/built_pipeline.py): each
    table's quarantined rows name their file exactly as it is on disk."""
    for table, name in INJECTED_FILES.items():
        files = {
            file
            for (file,) in built.query(
                f"select distinct source_file from staging.stg_quarantine where source_table = '{table}'"
            )
        }
        assert any(f.startswith(f"{table}/") and f.endswith(name) for f in files), (table, files)


def test_one_impossible_timestamp_changes_nothing_but_the_quarantine(built):
    """An event received in 2999, sign-ups in 1900 and 2999 and a survey from 2999 are
    quarantined: the as-of instant is the generator's (test above), no cohort falls
    outside the generated period, and the as-of is not after the latest load."""
    (as_of, loaded) = built.query(
        "select as_of_at, (select max(_loaded_at) from raw.events) from intermediate.int_as_of"
    )[0]
    assert as_of <= loaded
    months = {m.year for (m,) in built.query("select distinct signup_month from marts.kpi_activation_rate")}
    assert months == {2026}
    rows = built.query(
        "select source_table, record_key from staging.stg_quarantine "
        "where quarantine_reason in ('after_load_time', 'before_earliest_date') order by all"
    )
    assert rows == [
        ("accounts", "acc_1900"),
        ("accounts", "acc_2999"),
        ("events", "inj_5"),
        ("events", "inj_6"),
        ("surveys", "inj_s7"),
    ]


def test_landed_rows_equal_staged_plus_quarantined_for_every_table(built):
    for table in ("events", "accounts", "subscriptions", "surveys"):
        landed, staged, quarantined = built.query(f"""
            select (select count(*) from raw.{table}), (select count(*) from staging.stg_{table}),
                (select count(*) from staging.stg_quarantine where source_table = '{table}')
        """)[0]
        assert landed == staged + quarantined > 0, table
    counts = built.summary["counts"]
    injected_events = sum(rows for (table, _), rows in INJECTED.items() if table == "events")
    (staged_events,) = built.query("select count(*) from staging.stg_events")[0]
    assert staged_events == counts["distinct_event_ids"] - sum(
        counts[r] for r in QUARANTINE_REASONS if r != "duplicate_event_id"
    )
    (landed_events,) = built.query("select count(*) from raw.events")[0]
    assert landed_events == counts["events_written"] + injected_events


def _base_events_snapshot(warehouse: Path) -> list[tuple]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute(
            "select * exclude (loaded_at) from staging.base_events order by source_file, source_row"
        ).fetchall()


def test_a_rebuild_killed_mid_write_leaves_no_trace_and_a_rerun_changes_nothing(built, tmp_path):
    """kill -9 between a landing-date rebuild's delete+insert and its commit: nothing of it
    is visible, and the rebuild run again gives the same table. (Any sequence of changes
    and reruns giving a full rebuild's tables is test_rebuild_equivalence.py.)"""
    warehouse = tmp_path / "onboarding.duckdb"
    shutil.copy(built.warehouse, warehouse)
    env = project_env(built.data_dir, warehouse)
    expected = _base_events_snapshot(warehouse)
    dates = sorted(p.name for p in (built.data_dir / "events").iterdir())
    first, last = (d.removeprefix("date=") for d in (dates[40], dates[42]))
    range_env = {**env, "ONBOARDING_PARTITION_START": first, "ONBOARDING_PARTITION_END": last}
    run_dbt_killed_in_write(range_env, "base_events")
    assert _base_events_snapshot(warehouse) == expected, "a killed rebuild left a trace"
    run_dbt(["run", "-s", "base_events"], range_env)
    assert _base_events_snapshot(warehouse) == expected, "rebuilding a range changed it"


def test_an_invalid_partition_range_is_refused_before_any_sql(built):
    result = run_dbt(
        ["run", "-s", "base_events"],
        {
            **built.env,
            "ONBOARDING_PARTITION_START": "2026-01-01'; drop table x; --",
            "ONBOARDING_PARTITION_END": "2026-01-02",
        },
        check=False,
    )
    assert result.returncode != 0
    assert "is not a date of the form YYYY-MM-DD" in result.stdout
