"""dbt's unit tests: every one passes (they run here, and in a developer's plain `dbt build`;
production builds leave them out), and every metric model has at least one."""

import json
import re

import pytest

from orchestration.resources import dbt_project
from tests.conftest import run_dbt

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


def test_every_dbt_unit_test_passes(built, tmp_path):
    result = run_dbt(["test", "--select", "test_type:unit", "--target-path", str(tmp_path)], built.env)
    manifest = json.loads((tmp_path / "manifest.json").read_text())
    passed = re.search(r"Done\. PASS=(\d+) WARN=0 ERROR=0 SKIP=0", result.stdout)
    assert passed, result.stdout[-3000:]
    assert int(passed[1]) == len(manifest["unit_tests"]) > 40
