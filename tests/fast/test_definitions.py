"""The Dagster definitions, without running them: they load with every layer, the dbt tests
as checks, partitions and single-run backfills, drift and freshness checks, owners, the
jobs, schedules and sensors of each concern. (Runs: tests/pipeline/test_dagster_runs.py.)"""

import datetime as dt
import json
import os
import sys

from dagster import (
    AssetKey,
    DagsterInstance,
    TimeWindowPartitionsDefinition,
)

from tests.support.commands import run_command
from tests.support.definitions import DRIFT_CHECKS, PARTITIONED


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
        AssetKey(["intermediate", "int_account_activation"]),
        AssetKey(["marts", "fct_account_onboarding"]),
        AssetKey(["marts", "kpi_activation_rate"]),
    ]
    for upstream, downstream in zip(lineage, lineage[1:], strict=False):
        assert upstream in graph.get(downstream).parent_keys, f"{upstream} -> {downstream}"

    checks = {key.name: key for key in graph.asset_check_keys}
    assert "unique_stg_events_event_id" in checks
    assert "assert_landed_equals_staged_plus_quarantined" in checks
    # The event-rule check (issue 16) runs with the unpartitioned models, on its own model.
    rules_check = checks["assert_event_rules_name_seen_events"]
    assert rules_check.asset_key == AssetKey(["intermediate", "int_event_rule_parts"])
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

    from orchestration.predict.assets import onboarding_dbt_predicted
    from orchestration.transform.assets import onboarding_dbt, onboarding_dbt_daily, onboarding_dbt_upstream
    from orchestration.transform.resources import dbt_project

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
    """The same asset graph on either dbt target (profiles.yml); a typo is refused."""
    from orchestration.definitions import defs

    assert defs.resources["dbt"].target == "duckdb"  # the default
    script = (
        "from orchestration.definitions import defs; "
        "from orchestration.transform.resources import dbt_project; "
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
    assert (
        "ONBOARDING_DBT_TARGET='snowflake' is not an output of profiles.yml that builds "
        "(duckdb, spark;" in (refused.stderr)
    )


def test_the_alert_sensor_asks_for_a_run_only_after_the_alerts_mart_was_rebuilt():
    from orchestration.alerts.sensors import alerts_run_key

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
    # Every build job publishes the snapshot and rewrites both reports from it: they never
    # lag the marts.
    assert {serving, weekly, monthly} <= selected("onboarding_daily")
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
