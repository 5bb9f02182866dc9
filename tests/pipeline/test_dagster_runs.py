"""Dagster runs: one in-process run of a partition range materializes everything, every dbt
check passes, the drift checks report per partition, a late event lands in the partition
of its arrival, and readers of the serving snapshot see one whole snapshot meanwhile.
(Rebuilding a range twice changing nothing: tests/pipeline/test_pipeline.py.)"""

import datetime as dt
import json
import re
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from dagster import (
    AssetKey,
    DagsterInstance,
)

from orchestration.landing.partitions import range_tags
from orchestration.serving.snapshot import publish_snapshot, serving_file
from tests.support.browser import ARTIFACTS
from tests.support.commands import REPO_ROOT, generate_sample, project_env, run_dbt
from tests.support.definitions import DRIFT_CHECKS, DRIFT_KEYS, freshness_keys


def write_late_event(data_dir, account: str, landing_day: dt.date) -> None:
    """One event that arrives on `landing_day`, five days after it occurred."""
    columns = ("event_id", "account_id", "user_id", "event_name", "occurred_at", "received_at", "properties")
    folder = data_dir / "events" / f"date={landing_day.isoformat()}"
    folder.mkdir()
    row = ("late_1", account, None, "login", f"{landing_day - dt.timedelta(days=5)} 10:00:00",
           f"{landing_day} 08:00:00", None)  # fmt: skip
    table = pa.table(
        {c: [v] for c, v in zip(columns, row, strict=True)}, pa.schema([(c, pa.string()) for c in columns])
    )
    pq.write_table(table, folder / "late.parquet")


@dataclass
class RangeRun:
    result: object
    first: dt.date
    last: dt.date
    days: int
    warehouse: Path
    serving: Path
    snapshot_before: str
    readers: dict


READER_MODES = ("held", "fresh")


def start_readers(serving: Path, folder: Path) -> dict:
    """The BI-like reader processes of tests/support/serving_reader.py, started and ready."""
    readers = {}
    for mode in READER_MODES:
        command = [sys.executable, "-m", "tests.support.serving_reader", mode, str(serving),
                   str(folder / "stop"), str(folder / f"{mode}.json")]  # fmt: skip
        readers[mode] = subprocess.Popen(command, cwd=REPO_ROOT, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 120
    while not all((folder / f"{mode}.json.ready").exists() for mode in READER_MODES):
        assert time.monotonic() < deadline, "the readers did not start"
        assert all(r.poll() is None for r in readers.values()), [r.stderr.read() for r in readers.values()]
        time.sleep(0.2)
    return readers


def stop_readers(readers: dict, folder: Path) -> dict:
    (folder / "stop").touch()
    results = {}
    for mode, reader in readers.items():
        _, stderr = reader.communicate(timeout=120)
        assert reader.returncode == 0, stderr
        results[mode] = json.loads((folder / f"{mode}.json").read_text())
    return results


@pytest.fixture(scope="module")
def range_run(tmp_path_factory, built):
    """One in-process run of the full build over a partition range, while two reader
    processes query the serving snapshot that the run replaces."""
    tmp_path = tmp_path_factory.mktemp("range_run")
    # 16 days across a month's end: both reports have a complete period (a week, January).
    days, first = 16, dt.date(2026, 1, 20)
    data_dir = generate_sample(tmp_path / "landing", 100, days, 5, "--start", first.isoformat())
    # A late event lands the day after the sample's last day.
    last = first + dt.timedelta(days=days)
    account = pq.read_table(data_dir / "accounts" / "accounts.parquet").column("account_id")[0].as_py()
    write_late_event(data_dir, account, last)
    warehouse = tmp_path / "warehouse" / "onboarding.duckdb"
    serving = tmp_path / "serving"
    env = project_env(data_dir, warehouse, ONBOARDING_SERVING_DIR=str(serving),
                      ONBOARDING_REPORTS_DIR=str(tmp_path / "reports"))  # fmt: skip
    # Parse once with this profile (a test warehouse path), so that the run's dbt
    # invocations parse partially, as they do outside tests.
    run_dbt(["parse", "--quiet"], env)
    from orchestration.definitions import defs
    from orchestration.serving.assets import SERVED

    # The snapshot BI reads before the run: published from the session's built warehouse.
    before = publish_snapshot(SERVED, "before-the-run", warehouse=built.warehouse, directory=serving)
    job = defs.resolve_job_def("onboarding_full_build")
    readers_folder = tmp_path / "readers"
    readers_folder.mkdir()
    with pytest.MonkeyPatch.context() as patch:
        for name in ("ONBOARDING_DATA_DIR", "ONBOARDING_WAREHOUSE", "ONBOARDING_TEMP_DIR",
                     "ONBOARDING_SERVING_DIR", "ONBOARDING_REPORTS_DIR", "DBT_TARGET_PATH"):  # fmt: skip
            patch.setenv(name, env[name])
        readers = start_readers(serving, readers_folder)
        try:
            with DagsterInstance.ephemeral() as instance:
                result = job.execute_in_process(instance=instance, tags=range_tags(first, last))
        finally:
            results = stop_readers(readers, readers_folder)
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "serving-concurrency.json").write_text(json.dumps(results, indent=2))
    return RangeRun(result, first, last, days, warehouse, serving, before.snapshot_id, results)


@pytest.mark.slow
def test_a_range_run_materializes_everything_in_one_run_and_a_late_event_lands(range_run):
    from orchestration.definitions import defs

    result, first, last, days, warehouse = (
        range_run.result, range_run.first, range_run.last, range_run.days, range_run.warehouse)  # fmt: skip
    graph = defs.resolve_asset_graph()
    assert result.success

    materializable = {k for k in graph.get_all_asset_keys() if graph.get(k).is_materializable}
    materialized = {e.asset_key for e in result.get_asset_materialization_events()}
    assert materialized == materializable
    # One materialization per partition of the range for the partitioned assets.
    partitions = {(first + dt.timedelta(days=i)).isoformat() for i in range(days + 1)}
    raw_events = [
        e.partition
        for e in result.get_asset_materialization_events()
        if e.asset_key == AssetKey(["raw", "events"])
    ]
    assert sorted(raw_events) == sorted(partitions)

    evaluations = result.get_asset_check_evaluations()
    dbt_checks = [e for e in evaluations if not e.check_name.startswith("drift_")]
    assert [(e.asset_key.to_user_string(), e.check_name) for e in dbt_checks if not e.passed] == []
    assert {e.asset_check_key for e in dbt_checks} | DRIFT_KEYS == set(
        graph.asset_check_keys
    ) - freshness_keys(graph)
    drift = [e for e in evaluations if e.check_name.startswith("drift_")]
    assert {e.check_name for e in drift} == DRIFT_CHECKS
    assert len(drift) == len(partitions) * len(DRIFT_CHECKS)
    assert {e.partition for e in drift} == partitions
    assert all("threshold" in e.metadata and "summary" in e.metadata for e in drift)

    with duckdb.connect(str(warehouse), read_only=True) as con:
        late = con.execute(
            "select landing_date, is_late_arrival from staging.stg_events where event_id = 'late_1'"
        ).fetchall()
        (accounts,) = con.execute("select sum(signed_up_accounts) from marts.kpi_activation_rate").fetchone()
    assert late == [(last, True)]
    assert accounts >= 100


@pytest.mark.slow
def test_readers_of_the_serving_snapshot_see_one_whole_snapshot_while_the_run_writes(range_run):
    """A dashboard left connected keeps its snapshot; a refreshing one moves to the new
    snapshot once, when the run publishes it; nobody gets an error or a mixed snapshot.
    (The figures are kept in test-artifacts/serving-concurrency.json.)"""
    held, fresh = range_run.readers["held"], range_run.readers["fresh"]
    assert (held["errors"], fresh["errors"]) == (0, 0), (held["messages"], fresh["messages"])
    (materialization,) = [
        e for e in range_run.result.get_asset_materialization_events()
        if e.asset_key == AssetKey(["serving", "snapshot"])
    ]  # fmt: skip
    published = materialization.materialization.metadata["snapshot_id"].value
    before = range_run.snapshot_before
    assert published != before
    assert held["seen"] == {"duckdb": [before]}
    assert fresh["seen"] == {"duckdb": [before, published], "parquet": [before, published]}
    assert held["queries"] > 10 and fresh["queries"] > 10
    with duckdb.connect(str(serving_file(range_run.serving)), read_only=True) as con:
        assert con.execute("select distinct run_id from serving_snapshot").fetchall() == [
            (range_run.result.run_id,)
        ]
    # No temporary file is left behind, and only the latest Parquet snapshots are kept.
    assert [p.name for p in range_run.serving.iterdir() if p.name.startswith(".")] == []
    assert len(list((range_run.serving / "parquet").iterdir())) <= 3


@pytest.mark.slow
def test_kpi_materializations_carry_a_preview_and_the_run_writes_both_reports(range_run):
    events = {e.asset_key: e.materialization for e in range_run.result.get_asset_materialization_events()}
    kpis = [key for key in events if key.path[0] == "marts" and key.path[1].startswith("kpi_")]
    assert len(kpis) >= 8
    for key in kpis:
        metadata = events[key].metadata
        assert metadata["dagster/row_count"].value >= 0, key
        assert metadata["preview"].value.startswith("| "), key
    activation = events[AssetKey(["marts", "kpi_activation_rate"])].metadata
    assert "| segment | mature | activated | activation_rate |" in activation["preview"].value
    with duckdb.connect(str(range_run.warehouse), read_only=True) as con:
        (rows,) = con.execute("select count(*) from marts.kpi_activation_rate").fetchone()
    assert activation["dagster/row_count"].value == rows
    for name in ("weekly_funnel_review", "monthly_trend_report"):
        metadata = events[AssetKey(["reports", name])].metadata
        assert Path(metadata["report"].value).read_text().startswith("<!DOCTYPE html>")
        assert "| Sign-ups |" in metadata["key_metrics"].value


def test_incremental_models_say_in_their_metadata_what_they_recomputed(range_run):
    """The range run builds the warehouse from nothing: each account-level model's
    materialization says it computed every account, from its own log line (the daily
    run's "recomputing K of N" counts are checked by the rebuild-equivalence harness)."""
    events = {e.asset_key: e.materialization for e in range_run.result.get_asset_materialization_events()}
    with duckdb.connect(str(range_run.warehouse), read_only=True) as con:
        (accounts,) = con.execute("select count(*) from intermediate.int_accounts").fetchone()
    for model in ("int_account_weekly_usage", "int_account_milestones", "int_funnel_attempt_steps"):
        note = events[AssetKey(["intermediate", model])].metadata["recomputed"].value
        assert note == f"first build: computing all {accounts} accounts", note
    note = events[AssetKey(["staging", "base_events"])].metadata.get("recomputed")
    assert note is None  # landing dates are rebuilt as usual: nothing to say


def test_the_console_shows_one_line_per_stage_and_the_checks_that_did_not_pass(range_run):
    """What `onboarding run` (make demo) prints of a run, from the run's own events: one line
    per step with its duration, assets and checks (no line per dbt model or test), progress
    while a step runs, and the checks that did not pass grouped by check, in their words."""
    from orchestration.transform.console import StageLog, check_status

    def statuses_of(evaluations, name):
        return sum(1 for e in evaluations if e.check_name == name and not e.passed)

    log = StageLog()
    lines = [line for event in range_run.result.all_events for line in log.add(event, time.time())]
    steps = {e.step_key for e in range_run.result.all_events if e.step_key}
    assert len(lines) == len(steps), lines
    assert all(re.search(r"^  ok +\S.* +(\d+m )?\d+s +", line) for line in lines), lines
    text = "\n".join(lines)
    assert "dbt: intermediate models, facts and KPI marts" in text
    assert "checks: " in text and " passed" in text
    assert "not_null" not in text and "unique_" not in text  # no line per dbt test
    evaluations = range_run.result.get_asset_check_evaluations()
    summary = log.summary()
    statuses = Counter(check_status(e) for e in evaluations)
    assert summary[0] == "checks: " + ", ".join(f"{n} {s}" for s, n in sorted(statuses.items())), summary
    for name in {e.check_name for e in evaluations if not e.passed}:
        assert any(line.endswith(f": {name} on {statuses_of(evaluations, name)} date(s)") for line in summary)
    # Mid-step, the progress line names the running step and its counts so far.
    running = StageLog()
    for event in range_run.result.all_events:
        if event.event_type_value == "STEP_SUCCESS" and event.step_key == "onboarding_dbt":
            break
        running.add(event, time.time())
    progress = running.progress(time.time() + 90)
    assert progress.startswith("  ...    dbt: intermediate models, facts and KPI marts: 1m 3"), progress
    assert re.search(r"\d+ materializations, \d+ checks so far$", progress), progress
