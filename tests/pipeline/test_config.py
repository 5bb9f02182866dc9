"""Invalid configuration fails `dbt build` with a test whose stored failures
name the bad row: an unknown segment, a gap in step numbers, a zero window."""

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
    with open(seeds / "funnels.csv", "a") as handle:
        handle.write("instant,0,ordered\n")
    with open(seeds / "funnel_steps.csv", "a") as handle:
        handle.write("instant,1,login,,\ninstant,3,workflow_run,,\n")

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

    with duckdb.connect(str(warehouse), read_only=True) as con:
        schema = con.execute(
            "select schema_name from information_schema.schemata where schema_name like '%audit'"
        ).fetchone()[0]

        def stored(test: str) -> list[tuple]:
            return con.execute(f'select * from "{schema}"."{test}"').fetchall()

        assert stored("relationships_milestones_segment__segment__ref_segments_") == [("smbb",)]
        assert [row[0] for row in stored("positive_value_funnels_conversion_window_seconds")] == ["instant"]
        assert stored("contiguous_steps_funnel_steps_funnel_name__step_number") == [("instant", 3, 2)]
