"""dbt documentation: `dbt docs generate` works on the built warehouse, its catalog holds
the KPI marts, and the exposures describe the reports and the serving snapshot (the
snapshot's exposure lists exactly what orchestration/serving.py publishes)."""

import json

import pytest

from orchestration.serving.assets import SERVED
from tests.support.commands import run_dbt

pytestmark = pytest.mark.slow


def test_docs_generate_and_the_exposures(built, tmp_path):
    target = tmp_path / "target"
    run_dbt(["docs", "generate", "--target-path", str(target)], built.env)
    catalog = json.loads((target / "catalog.json").read_text())
    tables = {node["metadata"]["name"] for node in catalog["nodes"].values()}
    assert {"kpi_activation_rate", "kpi_time_to_first_value", "dim_date"} <= tables
    assert (target / "index.html").exists()

    manifest = json.loads((target / "manifest.json").read_text())
    exposures = {e["name"]: e for e in manifest["exposures"].values()}
    assert set(exposures) == {"serving_snapshot", "weekly_funnel_review", "monthly_trend_report"}
    served = {
        (manifest["nodes"].get(node) or manifest["sources"][node])["name"]
        for node in exposures["serving_snapshot"]["depends_on"]["nodes"]
    }
    assert served == {table for _, table in SERVED}
    for report in ("weekly_funnel_review", "monthly_trend_report"):
        assert exposures[report]["description"] and exposures[report]["depends_on"]["nodes"]
    # The semantic layer is in the manifest too.
    assert {"activation_rate", "net_revenue_retention"} <= {m["name"] for m in manifest["metrics"].values()}
