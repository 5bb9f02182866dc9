"""The dbt project as assets: seeds, staging, intermediate and marts models."""

from collections.abc import Mapping
from typing import Any

from dagster import AssetExecutionContext
from dagster_dbt import DagsterDbtTranslator, DagsterDbtTranslatorSettings, DbtCliResource, dbt_assets

from orchestration.resources import dbt_project

LAYER_GROUPS = {"staging", "intermediate", "marts"}


class OnboardingTranslator(DagsterDbtTranslator):
    """Groups follow the layers: config (seeds), staging, intermediate, marts."""

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        if dbt_resource_props["resource_type"] == "seed":
            return "config"
        fqn = dbt_resource_props.get("fqn", [])
        layer = fqn[1] if len(fqn) > 2 else None
        return layer if layer in LAYER_GROUPS else super().get_group_name(dbt_resource_props)


translator = OnboardingTranslator(
    settings=DagsterDbtTranslatorSettings(
        enable_asset_checks=True,
        enable_source_tests_as_checks=True,
        enable_code_references=True,
    )
)


@dbt_assets(
    manifest=dbt_project.manifest_path,
    project=dbt_project,
    dagster_dbt_translator=translator,
    name="onboarding_dbt",
)
def onboarding_dbt(context: AssetExecutionContext, dbt: DbtCliResource):
    """`dbt build` of the selected models: runs them, their tests (as asset checks) and unit tests."""
    yield from dbt.cli(["build"], context=context).stream()
