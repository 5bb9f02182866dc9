"""The written layer rules (docs/conventions.md), enforced on the dbt manifest: a model
reads only the layer directly below it (or, for intermediate models, another
intermediate one), and sits in its layer's folder: staging by landing table,
intermediate and marts by domain."""

import json
import re

import pytest

from orchestration.transform.resources import dbt_project

# Model name prefix -> what it may read: model prefixes, plus "seed" and "source".
ALLOWED = {
    "base_": {"source", "base_"},
    "stg_": {"base_"},
    "int_": {"stg_", "int_", "seed"},
    # Marts also read configuration seeds (playbooks, caps, weights) and what the Python
    # prediction assets write back (source `predict`, orchestration/predict/).
    "fct_": {"int_", "seed", "prediction"},
    "dim_": {"int_"},
    "kpi_": {"fct_", "dim_"},
}
# Where each layer lives: staging by table, intermediate and marts by domain.
DOMAINS = {
    "accounts",
    "onboarding",
    "funnels",
    "engagement",
    "revenue",
    "at_risk",
    "feedback",
    "experiments",
    "predict",
}
FOLDERS = {
    "base_": {"staging/base"},
    "stg_": {"staging"},
    "int_": {f"intermediate/{domain}" for domain in DOMAINS},
    "fct_": {f"marts/{domain}" for domain in DOMAINS - {"accounts"}},
    "dim_": {f"marts/{domain}" for domain in DOMAINS - {"accounts"} | {"shared"}},
    "kpi_": {f"marts/{domain}" for domain in DOMAINS - {"accounts"}},
}


@pytest.fixture(scope="module")
def manifest() -> dict:
    return json.loads(dbt_project.manifest_path.read_text())


def _prefix(name: str) -> str | None:
    return next((p for p in ALLOWED if name.startswith(p)), None)


def _kind(node_id: str, manifest: dict) -> str:
    if node_id.startswith("source.onboarding.predict."):
        return "prediction"
    if node_id.startswith("source."):
        return "source"
    node = manifest["nodes"][node_id]
    return "seed" if node["resource_type"] == "seed" else (_prefix(node["name"]) or node["name"])


def test_every_model_is_named_for_its_layer_and_sits_in_its_folder(manifest):
    for node in manifest["nodes"].values():
        if node["resource_type"] != "model":
            continue
        prefix = _prefix(node["name"])
        assert prefix, f"{node['name']}: a model name starts with one of {sorted(ALLOWED)}"
        folder = "/".join(node["original_file_path"].split("/")[1:-1])
        assert folder in FOLDERS[prefix], f"{node['name']} belongs in one of {sorted(FOLDERS[prefix])}"
        assert node["description"], f"{node['name']} has no description in its yml"


def test_every_model_reads_only_the_layer_below(manifest):
    broken = []
    for node in manifest["nodes"].values():
        if node["resource_type"] != "model":
            continue
        allowed = ALLOWED[_prefix(node["name"])]
        for parent in node["depends_on"]["nodes"]:
            if _kind(parent, manifest) not in allowed:
                broken.append(f"{node['name']} reads {parent}")
    assert broken == []


def test_every_model_is_a_chain_of_ctes_ending_in_select_from_final(manifest):
    for node in manifest["nodes"].values():
        if node["resource_type"] == "model":
            assert re.search(r"select \* from final\s*$", node["raw_code"]), node["name"]
