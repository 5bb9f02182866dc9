"""dbt's unit tests: every one passes (they run here, and in a developer's plain `dbt build`;
production builds leave them out), and every metric model has at least one."""

import json
import re
from pathlib import Path

import pytest

from orchestration.transform.resources import dbt_project
from tests.support.commands import generate_sample, load_landing, project_env, run_dbt

pytestmark = pytest.mark.slow


def test_every_kpi_model_has_a_unit_test():
    manifest = json.loads(dbt_project.manifest_path.read_text())
    tested = {test["model"] for test in manifest["unit_tests"].values()}
    kpis = {
        n["name"]
        for n in manifest["nodes"].values()
        if n["resource_type"] == "model" and n["name"].startswith("kpi_")
    }
    assert kpis and kpis - tested == set()


@pytest.fixture(scope="module")
def loaded(tmp_path_factory) -> dict:
    """The warehouse's relations, empty (`dbt run --empty`, seeds loaded): dbt reads the
    column types of a unit test's inputs from them."""
    root = tmp_path_factory.mktemp("unit")
    env = project_env(generate_sample(root / "landing", 10, 5, 1), root / "warehouse" / "onboarding.duckdb")
    # One target folder for the three commands: each parses only what changed since the
    # last (a new target folder, or another warehouse path, costs a full parse).
    env["DBT_TARGET_PATH"] = str(root / "target")
    load_landing(env)
    run_dbt(["seed"], env)
    run_dbt(["run", "--empty"], env)
    return env


def test_every_dbt_unit_test_passes(loaded):
    result = run_dbt(["test", "--select", "test_type:unit"], loaded)
    manifest = json.loads((Path(loaded["DBT_TARGET_PATH"]) / "manifest.json").read_text())
    assert re.search(r"Done\. PASS=\d+ WARN=0 ERROR=0 SKIP=0", result.stdout), result.stdout[-3000:]
    passed = set(re.findall(r" PASS \w+::(\w+) ", result.stdout))
    assert passed == {test["name"] for test in manifest["unit_tests"].values()}
    assert len(passed) > 40
