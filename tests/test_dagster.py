"""The Dagster definitions: they load with partitions, checks, freshness, schedules and
sensors; one in-process run of a partition range materializes everything, every dbt
check passes, the drift checks report per partition, and a late event lands in the
partition of its arrival. (Rebuilding a range twice changing nothing is tested on the
same env vars in test_pipeline.py.)"""

import datetime as dt
import json
import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from dagster import (
    AssetCheckKey,
    AssetKey,
    DagsterInstance,
    TimeWindowPartitionsDefinition,
)

from orchestration.partitions import range_tags
from orchestration.serving import publish_snapshot, serving_file
from tests.browser import ARTIFACTS
from tests.conftest import REPO_ROOT, generate_sample, project_env, run_command, run_dbt

PARTITIONED = {
    AssetKey(["landing", "events"]),
    AssetKey(["raw", "events"]),
    AssetKey(["staging", "base_events"]),
    AssetKey(["staging", "stg_events"]),
    AssetKey(["staging", "stg_quarantine"]),
}
DRIFT_CHECKS = {
    "drift_volume",
    "drift_unknown_event_names",
    "drift_schema",
    "drift_null_rate",
    "drift_late_arrival",
    "drift_duplicates",
    "drift_quarantine",
    "drift_event_mix",
}


DRIFT_KEYS = {
    AssetCheckKey(AssetKey(["raw", "events"] if name == "drift_schema" else ["staging", "base_events"]), name)
    for name in DRIFT_CHECKS
}


def freshness_keys(graph) -> set:
    """Checks the freshness sensor runs, not the builds."""
    return {
        k
        for k in graph.asset_check_keys
        if k.name == "dbt_source_freshness" or k.name.startswith("freshness")
    }


def test_definitions_load_with_every_layer_and_the_dbt_tests_as_checks():
    from orchestration.definitions import defs

    graph = defs.resolve_asset_graph()
    groups = {graph.get(key).group_name for key in graph.get_all_asset_keys()}
    assert {"landing", "raw", "config", "staging", "intermediate", "marts"} <= groups

    lineage = [
        AssetKey(["landing", "events"]),
        AssetKey(["raw", "events"]),
        AssetKey(["staging", "base_events"]),
        AssetKey(["staging", "stg_events"]),
        AssetKey(["intermediate", "int_account_events"]),
        AssetKey(["intermediate", "int_account_milestones"]),
        AssetKey(["marts", "fct_account_onboarding"]),
        AssetKey(["marts", "kpi_activation_rate"]),
    ]
    for upstream, downstream in zip(lineage, lineage[1:], strict=False):
        assert upstream in graph.get(downstream).parent_keys, f"{upstream} -> {downstream}"

    checks = {key.name: key for key in graph.asset_check_keys}
    assert "unique_stg_events_event_id" in checks
    assert "assert_landed_equals_staged_plus_quarantined" in checks
    # Error-severity dbt tests block what is downstream of their asset.
    assert graph.get_check_spec(checks["unique_stg_events_event_id"]).blocking
    assert defs.resolve_job_def("onboarding_full_build") is not None


def test_event_layers_are_daily_partitions_backfilled_in_one_run():
    from orchestration.definitions import defs

    graph = defs.resolve_asset_graph()
    partitioned = {k for k in graph.get_all_asset_keys() if graph.get(k).partitions_def is not None}
    assert partitioned == PARTITIONED
    for key in PARTITIONED:
        node = graph.get(key)
        assert isinstance(node.partitions_def, TimeWindowPartitionsDefinition)
        assert node.partitions_def.cron_schedule == "0 0 * * *"
        if node.is_materializable:
            assert node.backfill_policy.max_partitions_per_run is None  # single run
    # Everything downstream of the event layers is unpartitioned and rebuilt from all events.
    assert graph.get(AssetKey(["marts", "kpi_activation_rate"])).partitions_def is None


def test_every_dbt_model_and_seed_is_in_exactly_one_dbt_asset():
    """A model under models/staging that reads the event models must be tagged
    landing_date_partitioned too; otherwise no dbt asset would select it."""
    import json

    from orchestration.assets.dbt import onboarding_dbt, onboarding_dbt_daily, onboarding_dbt_upstream
    from orchestration.predict.assets import onboarding_dbt_predicted
    from orchestration.resources import dbt_project

    manifest = json.loads(dbt_project.manifest_path.read_text())
    nodes = [n for n in manifest["nodes"].values() if n["resource_type"] in ("model", "seed")]
    expected = {AssetKey([n["config"]["schema"] or "main", n["name"]]) for n in nodes}
    groups = [
        set(a.keys)
        for a in (onboarding_dbt_upstream, onboarding_dbt_daily, onboarding_dbt, onboarding_dbt_predicted)
    ]
    assert sum(len(g) for g in groups) == len(set().union(*groups)), "a model is in two dbt assets"
    assert set().union(*groups) == expected


def test_drift_checks_freshness_owners_and_code_links():
    from orchestration.definitions import defs

    graph = defs.resolve_asset_graph()
    drift = {key for key in graph.asset_check_keys if key.name.startswith("drift_")}
    assert {key.name for key in drift} == DRIFT_CHECKS
    for key in drift:
        expected = ["raw", "events"] if key.name == "drift_schema" else ["staging", "base_events"]
        assert key.asset_key.path == expected
        assert graph.get_check_spec(key).partitions_def is not None

    checks = {key.name for key in graph.asset_check_keys}
    assert "dbt_source_freshness" in checks
    assert any(name.startswith("freshness_check") for name in checks)
    for key in [
        AssetKey(["raw", "events"]),
        AssetKey(["raw", "accounts"]),
        AssetKey(["marts", "kpi_activation_rate"]),
    ]:
        assert graph.get(key).freshness_policy is not None, key

    kpi = graph.get(AssetKey(["marts", "kpi_activation_rate"]))
    assert kpi.owners and kpi.description
    assert "dagster/code_references" in kpi.metadata
    assert "dagster/column_schema" in kpi.metadata

    schedules = {s.name: s for s in defs.schedules}
    assert set(schedules) == {
        "onboarding_daily_schedule",
        "onboarding_weekly_report_schedule",
        "onboarding_monthly_report_schedule",
    }
    assert schedules["onboarding_weekly_report_schedule"].cron_schedule == "0 7 * * 1"
    assert schedules["onboarding_monthly_report_schedule"].cron_schedule == "0 7 1 * *"
    assert [s.name for s in defs.sensors] == [
        "onboarding_freshness_sensor",
        "onboarding_at_risk_alert_sensor",
    ]
    outbox = graph.get(AssetKey(["alerts", "at_risk_outbox"]))
    assert AssetKey(["marts", "fct_at_risk_alerts"]) in outbox.parent_keys


def test_the_dbt_resource_runs_the_target_named_by_onboarding_dbt_target():
    """The same asset graph on either dbt target (profiles/profiles.yml); a typo is refused."""
    from orchestration.definitions import defs

    assert defs.resources["dbt"].target == "duckdb"  # the default
    script = (
        "from orchestration.definitions import defs; from orchestration.resources import dbt_project; "
        "keys = defs.resolve_asset_graph().get_all_asset_keys(); "
        "print(defs.resources['dbt'].target, dbt_project.target, len(keys))"
    )
    on_spark = run_command([sys.executable, "-c", script], {**os.environ, "ONBOARDING_DBT_TARGET": "spark"})
    assert on_spark.stdout.split()[-3:] == [
        "spark",
        "spark",
        str(len(defs.resolve_asset_graph().get_all_asset_keys())),
    ]
    refused = run_command(
        [sys.executable, "-c", script], {**os.environ, "ONBOARDING_DBT_TARGET": "snowflake"}, check=False
    )
    assert refused.returncode != 0
    assert "ONBOARDING_DBT_TARGET='snowflake' is not an output of profiles/profiles.yml (duckdb, spark)" in (
        refused.stderr
    )


def test_the_alert_sensor_asks_for_a_run_only_after_the_alerts_mart_was_rebuilt():
    from orchestration.schedules import alerts_run_key

    assert alerts_run_key(None, None) is None  # the mart was never built
    assert alerts_run_key(100.0, None) == "alerts-100.000000"
    assert alerts_run_key(100.0, 50.0) == "alerts-100.000000"
    assert alerts_run_key(100.0, 150.0) is None  # the outbox ran after the mart


def test_the_report_schedules_write_their_report_from_a_fresh_serving_snapshot():
    from orchestration.definitions import defs

    serving, weekly, monthly = (
        AssetKey(["serving", "snapshot"]),
        AssetKey(["reports", "weekly_funnel_review"]),
        AssetKey(["reports", "monthly_trend_report"]),
    )
    graph = defs.resolve_asset_graph()
    assert graph.get(weekly).parent_keys == {serving} == graph.get(monthly).parent_keys
    assert AssetKey(["marts", "kpi_activation_rate"]) in graph.get(serving).parent_keys

    def selected(job_name: str) -> set:
        return set(defs.resolve_job_def(job_name).asset_layer.selected_asset_keys)

    for schedule, report, other in [
        ("onboarding_weekly_report_schedule", weekly, monthly),
        ("onboarding_monthly_report_schedule", monthly, weekly),
    ]:
        keys = selected(defs.resolve_schedule_def(schedule).job_name)
        assert {report, serving, AssetKey(["marts", "kpi_activation_rate"])} <= keys
        assert other not in keys
    assert serving in selected("onboarding_daily") and weekly not in selected("onboarding_daily")
    assert {serving, weekly, monthly} <= selected("onboarding_full_build")


def test_the_daily_schedule_asks_for_yesterdays_partition():
    from dagster import build_schedule_context

    from orchestration.definitions import defs

    schedule = defs.resolve_schedule_def("onboarding_daily_schedule")
    at = dt.datetime(2026, 3, 10, 1, 30, tzinfo=dt.UTC)
    with DagsterInstance.ephemeral() as instance:
        context = build_schedule_context(instance=instance, scheduled_execution_time=at)
        (request,) = schedule.evaluate_tick(context).run_requests
    assert request.partition_key == "2026-03-09"


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
    """The BI-like reader processes of tests/serving_reader.py, started and ready."""
    readers = {}
    for mode in READER_MODES:
        command = [sys.executable, "-m", "tests.serving_reader", mode, str(serving), str(folder / "stop"),
                   str(folder / f"{mode}.json")]  # fmt: skip
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
    days = 35
    data_dir = generate_sample(tmp_path / "landing", 100, days, 5)
    first = dt.date(2026, 1, 1)
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
    from orchestration.assets.serving import SERVED
    from orchestration.definitions import defs

    # The snapshot BI reads before the run: published from the session's built warehouse.
    before = publish_snapshot(SERVED, "before-the-run", warehouse=built.warehouse, directory=serving)
    job = defs.resolve_job_def("onboarding_full_build")
    readers_folder = tmp_path / "readers"
    readers_folder.mkdir()
    with pytest.MonkeyPatch.context() as patch:
        for name in ("ONBOARDING_DATA_DIR", "ONBOARDING_WAREHOUSE", "ONBOARDING_TEMP_DIR",
                     "ONBOARDING_SERVING_DIR", "ONBOARDING_REPORTS_DIR"):  # fmt: skip
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
