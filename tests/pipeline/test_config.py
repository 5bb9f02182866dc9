"""Invalid configuration fails `dbt build` with a test whose stored failures
name the bad row, and whose log line names the offending values: an unknown
segment, a gap in step numbers, a zero window, a milestone or funnel step naming
an event the taxonomy does not know, or one the warehouse never saw (unless the row
is marked expected_future)."""

import shutil

import duckdb
import pytest

from tests.support.commands import REPO_ROOT, project_env, run_dbt

pytestmark = pytest.mark.slow


def copy_project(tmp_path):
    """The dbt project's files, copied (so that its seeds can be edited)."""
    project = tmp_path / "project"
    project.mkdir()
    for name in ("dbt_project.yml", "models", "macros", "seeds", "tests"):
        source = REPO_ROOT / name
        (shutil.copytree if source.is_dir() else shutil.copy)(source, project / name)
    shutil.rmtree(project / "tests" / "__pycache__", ignore_errors=True)
    return project


def test_bad_seed_rows_fail_the_build_and_are_named(tmp_path):
    project = copy_project(tmp_path)
    seeds = project / "seeds"
    with open(seeds / "milestones.csv", "a") as handle:
        handle.write("smbb,1,typo_segment,workspace_created,,,1,1,false,false,\n")
        handle.write("default,7,typo_event,workflow_runn|workflow_run,,,1,50,false,false,\n")
        handle.write("default,8,typo_category,category:core_actions,,,1,50,false,false,\n")
    with open(seeds / "funnels.csv", "a") as handle:
        handle.write("instant,0,ordered\n")
    with open(seeds / "funnel_steps.csv", "a") as handle:
        handle.write("instant,1,login,,,\ninstant,3,workflow_run,,,\n")
    with open(seeds / "metric_targets.csv", "a") as handle:
        handle.write("activation_rate,smb_emea,0.5,A segment that does not exist\n")
    with open(seeds / "funnel_steps.csv", "a") as handle:
        handle.write("repeat_runs,4,dashbord_shared | dashboard_shared,,,\n")

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
        "on seed funnel_steps fails on: (event_rule='dashbord_shared | dashboard_shared', "
        "unknown_event='dashbord_shared')",
        "(event_rule='workflow_runn|workflow_run', unknown_event='workflow_runn')",
        "(event_rule='category:core_actions', unknown_event='category:core_actions')",
    ):
        assert named in result.stdout, (named, result.stdout[-6000:])
    # An unknown event is an error, not a warning.
    assert {
        "known_events_milestones_event_name",
        "known_events_funnel_steps_event_name",
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


def test_a_rule_naming_an_event_never_seen_fails_unless_expected_future(tmp_path, built):
    """Issue 16: a milestone or funnel step whose rule has a part no staged event
    matches (a name the product never sent, here one the taxonomy knows) fails the
    build, its log naming the seed, the milestone or funnel step, the rule and the
    part; a row marked expected_future does not. On a copy of the shared build."""
    project = copy_project(tmp_path)
    seeds = project / "seeds"
    with open(seeds / "event_taxonomy.csv", "a") as handle:
        handle.write(
            "workspace_archived,core_action,Not sent yet\nwebhook_added,core_action,Ships next month\n"
        )
    with open(seeds / "milestones.csv", "a") as handle:
        handle.write("default,7,archived,dashboard_shared|workspace_archived,,,1,60,false,false,\n")
        handle.write("default,8,webhooks,webhook_added,,,1,60,false,false,true\n")
    with open(seeds / "funnel_steps.csv", "a") as handle:
        handle.write("repeat_runs,4,category:core_action | workspace_archived,,,\n")
        handle.write("team_setup_any_order,4,webhook_added,,,true\n")
    # The copy keeps the file name: the views name their database after it.
    warehouse = tmp_path / "warehouse" / "onboarding.duckdb"
    warehouse.parent.mkdir()
    shutil.copy(built.warehouse, warehouse)
    env = project_env(built.data_dir, warehouse)
    check = "assert_event_rules_name_seen_events"
    seeds_and_check = ["milestones", "funnel_steps", "event_taxonomy", "int_event_rule_parts", check]
    selection = ["-s", *seeds_and_check, "--indirect-selection", "cautious"]
    result = run_dbt(["build", "--project-dir", str(project), *selection], env, check=False)
    assert result.returncode != 0
    failed = {line.split("FAIL")[1].split()[1] for line in result.stdout.splitlines() if " FAIL " in line}
    assert failed == {check}, result.stdout[-4000:]
    for named in (
        "(seed_name='milestones', seed_row='segment default, milestone archived', "
        "event_rule='dashboard_shared|workspace_archived', unseen_event='workspace_archived')",
        "(seed_name='funnel_steps', seed_row='funnel repeat_runs, step 4', "
        "event_rule='category:core_action | workspace_archived', unseen_event='workspace_archived')",
    ):
        assert f"{check} fails on: " in result.stdout and named in result.stdout, result.stdout[-4000:]
    # The rows marked expected_future are not named.
    assert "webhook_added" not in "".join(line for line in result.stdout.splitlines() if "fails on" in line)
