"""The Dagster definitions: they load, and one in-process run materializes everything."""

import duckdb
import pytest
from dagster import AssetKey, DagsterInstance

from tests.conftest import generate_sample


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

    checks = {key.name for key in graph.asset_check_keys}
    assert "unique_stg_events_event_id" in checks
    assert "assert_landed_equals_staged_plus_quarantined" in checks
    assert defs.resolve_job_def("onboarding_full_build") is not None


@pytest.mark.slow
def test_a_full_in_process_run_materializes_everything_and_every_check_passes(tmp_path, monkeypatch):
    data_dir = generate_sample(tmp_path / "landing", 120, 60, 5)
    warehouse = tmp_path / "warehouse" / "onboarding.duckdb"
    monkeypatch.setenv("ONBOARDING_DATA_DIR", str(data_dir))
    monkeypatch.setenv("ONBOARDING_WAREHOUSE", str(warehouse))
    monkeypatch.setenv("ONBOARDING_TEMP_DIR", str(tmp_path / "tmp"))
    from orchestration.definitions import defs

    job = defs.resolve_job_def("onboarding_full_build")
    with DagsterInstance.ephemeral() as instance:
        result = job.execute_in_process(instance=instance)
    assert result.success

    graph = defs.resolve_asset_graph()
    materializable = {k for k in graph.get_all_asset_keys() if graph.get(k).is_materializable}
    materialized = {
        m.asset_key
        for m in result.get_asset_materialization_events()
        for m in [m.event_specific_data.materialization]
    }
    assert materialized == materializable

    evaluations = result.get_asset_check_evaluations()
    failed = [(e.asset_key.to_user_string(), e.check_name) for e in evaluations if not e.passed]
    assert failed == []
    assert {e.asset_check_key for e in evaluations} == set(graph.asset_check_keys)

    with duckdb.connect(str(warehouse), read_only=True) as con:
        (accounts,) = con.execute("select sum(signed_up_accounts) from marts.kpi_activation_rate").fetchone()
    assert accounts >= 120
