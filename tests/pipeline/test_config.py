"""Invalid configuration fails `dbt build` with a test whose stored failures
name the bad row, and whose log line names the offending values: an unknown
segment, a gap in step numbers, a zero window, a milestone or funnel step naming
an event the taxonomy does not know."""

import shutil

import duckdb
import pytest

from tests.support.commands import REPO_ROOT, project_env, run_dbt

pytestmark = pytest.mark.slow


def test_bad_seed_rows_fail_the_build_and_are_named(tmp_path):
    project = tmp_path / "project"
    project.mkdir()
    for name in ("dbt_project.yml", "models", "macros", "seeds", "tests"):
        source = REPO_ROOT / name
        (shutil.copytree if source.is_dir() else shutil.copy)(source, project / name)
    shutil.rmtree(project / "tests" / "__pycache__", ignore_errors=True)
    seeds = project / "seeds"
    with open(seeds / "milestones.csv", "a") as handle:
        handle.write("smbb,1,typo_segment,workspace_created,,,1,1,false,false\n")
        handle.write("default,7,typo_event,workflow_runn|workflow_run,,,1,50,false,false\n")
        handle.write("default,8,typo_category,category:core_actions,,,1,50,false,false\n")
    with open(seeds / "funnels.csv", "a") as handle:
        handle.write("instant,0,ordered\n")
    with open(seeds / "funnel_steps.csv", "a") as handle:
        handle.write("instant,1,login,,\ninstant,3,workflow_run,,\n")
    with open(seeds / "metric_targets.csv", "a") as handle:
        handle.write("activation_rate,smb_emea,0.5,A segment that does not exist\n")
    with open(seeds / "funnel_steps.csv", "a") as handle:
        handle.write("repeat_runs,4,dashbord_shared,,\n")

    warehouse = tmp_path / "config.duckdb"
    env = project_env(tmp_path / "landing", warehouse)
    result = run_dbt(["build", "--project-dir", str(project), "-s", "resource_type:seed"], env, check=False)
    assert result.returncode != 0
    failed = {line.split("FAIL")[1].split()[1] for line in result.stdout.splitlines() if " FAIL " in line}
    assert {
        "relationships_milestones_segment__segment__ref_segments_",
        "positive_value_funnels_conversion_window_seconds",
        "contiguous_steps_funnel_steps_funnel_name__step_number",
    } <= failed, result.stdout[-4000:]
    assert "See test failures" in result.stdout
    # Each failing seed test names its offending values in the log, not only their count.
    for named in (
        "_ref_segments_ on seed milestones fails on: (from_field='smbb')",
        "on seed metric_targets fails on: (from_field='smb_emea')",
        "on seed funnel_steps fails on: (from_field='dashbord_shared')",
        "(event_rule='workflow_runn|workflow_run', unknown_event='workflow_runn')",
        "(event_rule='category:core_actions', unknown_event='category:core_actions')",
    ):
        assert named in result.stdout, (named, result.stdout[-6000:])
    # An unknown event is an error, not a warning.
    assert {
        "known_events_milestones_event_name",
        "relationships_funnel_steps_event_name__event_name__ref_event_taxonomy_",
    } <= failed

    with duckdb.connect(str(warehouse), read_only=True) as con:
        schema = con.execute(
            "select schema_name from information_schema.schemata where schema_name like '%audit'"
        ).fetchone()[0]

        def stored(test: str) -> list[tuple]:
            return con.execute(f'select * from "{schema}"."{test}"').fetchall()

        assert stored("relationships_milestones_segment__segment__ref_segments_") == [("smbb",)]
        assert [row[0] for row in stored("positive_value_funnels_conversion_window_seconds")] == ["instant"]
        assert stored("contiguous_steps_funnel_steps_funnel_name__step_number") == [("instant", 3, 2)]
