"""The dbt project as assets: seeds, staging, intermediate and marts models.

Three `@dbt_assets` definitions, in the order they run, each with a
single-run backfill policy:

- `onboarding_dbt_upstream`: seeds and the staging of the snapshot tables
  (accounts, subscriptions, surveys), unpartitioned.
- `onboarding_dbt_daily`: the models tagged `landing_date_partitioned`
  (base_events, stg_events, and the stg_quarantine view), partitioned by
  landing date. A run of one
  partition, or a backfill of a range, is ONE `dbt build` with the range in
  ONBOARDING_PARTITION_START/END; the incremental models delete and rewrite
  exactly those landing dates (see macros/incremental/landing_dates.sql).
- `onboarding_dbt`: everything above staging, unpartitioned: the
  account-level and KPI models, rebuilt from all staged events (so a late
  event is reflected after the next run).

The range goes through environment variables read with `env_var()`, not
`--vars`: dbt keeps partial parsing when only an environment variable
changes, while a changed `--vars` forces a full re-parse on every run.

Production builds do production work: dbt's unit tests pin the SQL, not the data,
so they run in `make test` and CI (and in a developer's plain `dbt build`), not
in these runs (DBT_EXCLUDE_RESOURCE_TYPES=unit_test); every data test runs.
"""

import os
import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

from dagster import AssetCheckSpec, AssetExecutionContext, AssetSpec, FreshnessPolicy, Output
from dagster_dbt import (
    DagsterDbtTranslator,
    DagsterDbtTranslatorSettings,
    DbtCliInvocation,
    DbtCliResource,
    dbt_assets,
)

from orchestration.landing.partitions import (
    daily_partitions,
    dbt_partition_env,
    partition_date_range,
    single_run,
)
from orchestration.lib import connect_warehouse, on_spark, warehouse_path
from orchestration.transform.descriptions import check_description, with_column_types
from orchestration.transform.previews import with_kpi_previews
from orchestration.transform.resources import dbt_project
from orchestration.transform.spark_tables import publish_spark_tables

LAYER_GROUPS = {"staging", "intermediate", "marts"}
# What production builds leave out: unit tests run in make test and CI.
PRODUCTION = {"DBT_EXCLUDE_RESOURCE_TYPES": "unit_test"}
PARTITIONED_TAG = "landing_date_partitioned"
# Owners per layer: who to ask about an asset in the UI.
OWNERS = {
    "config": ["team:analytics-engineering"],
    "staging": ["team:data-platform"],
    "intermediate": ["team:analytics-engineering"],
    "marts": ["team:analytics-engineering"],
}
# KPI marts are rebuilt by the daily schedule: warn after 30 hours, fail after 54.
KPI_FRESHNESS = FreshnessPolicy.time_window(fail_window=timedelta(hours=54), warn_window=timedelta(hours=30))


class OnboardingTranslator(DagsterDbtTranslator):
    """Groups follow the layers: config (seeds), staging, intermediate, marts; owners per
    layer; a freshness policy on the KPI marts."""

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        if dbt_resource_props["resource_type"] == "seed":
            return "config"
        fqn = dbt_resource_props.get("fqn", [])
        layer = fqn[1] if len(fqn) > 2 else None
        return layer if layer in LAYER_GROUPS else super().get_group_name(dbt_resource_props)

    def get_asset_spec(self, manifest: Mapping[str, Any], unique_id: str, project: Any) -> AssetSpec:
        spec = super().get_asset_spec(manifest, unique_id, project)
        props = self.get_resource_props(manifest, unique_id)
        if props["resource_type"] not in ("model", "seed", "snapshot"):
            return spec
        layer = self.get_group_name(props)
        extra: dict[str, Any] = {"owners": OWNERS.get(layer or "", [])}
        if layer:
            extra["tags"] = {**spec.tags, "layer": layer}
        if layer == "marts" and props["name"].startswith("kpi_"):
            extra["freshness_policy"] = KPI_FRESHNESS
        return spec.replace_attributes(**extra)

    def get_asset_check_spec(
        self, asset_spec: AssetSpec, manifest: Mapping[str, Any], unique_id: str, project: Any
    ) -> AssetCheckSpec | None:
        """dbt tests as checks, each with a description of what it asserts."""
        spec = super().get_asset_check_spec(asset_spec, manifest, unique_id, project)
        if spec is None or spec.description:
            return spec
        return spec._replace(description=check_description(manifest, manifest["nodes"][unique_id]))


translator = OnboardingTranslator(
    settings=DagsterDbtTranslatorSettings(
        enable_asset_checks=True,
        enable_source_tests_as_checks=True,
        enable_code_references=True,
    )
)


@contextmanager
def environment(values: Mapping[str, str]) -> Iterator[None]:
    """Set environment variables while the dbt subprocess is started (dagster-dbt passes
    the process environment to dbt). Runs are one at a time, in process. Also makes the
    warehouse folder, which DuckDB does not create (dbt may run before the loader)."""
    warehouse_path().parent.mkdir(parents=True, exist_ok=True)
    saved = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


@dbt_assets(
    manifest=dbt_project.manifest_path,
    project=dbt_project,
    dagster_dbt_translator=translator,
    name="onboarding_dbt_daily",
    select=f"tag:{PARTITIONED_TAG}",
    partitions_def=daily_partitions,
    backfill_policy=single_run,
)
def onboarding_dbt_daily(context: AssetExecutionContext, dbt: DbtCliResource):
    """`dbt build` of the event models for the run's landing dates (one partition or a range)."""
    start, end = partition_date_range(context)
    context.log.info(f"rebuilding landing dates {start} .. {end}")
    # Eager (dbt's default): the tests of these models run here, including those that
    # also read a model of the other dbt asset (relationships to stg_accounts).
    with environment({**dbt_partition_env(start, end), **PRODUCTION, "DBT_INDIRECT_SELECTION": "eager"}):
        invocation = dbt.cli(["build"], context=context)
    yield from _streamed(context, invocation)


UPSTREAM = "resource_type:seed path:models/staging"


@dbt_assets(
    manifest=dbt_project.manifest_path,
    project=dbt_project,
    dagster_dbt_translator=translator,
    name="onboarding_dbt_upstream",
    select=UPSTREAM,
    # `+`: also the tests that read an event model (relationships, singular tests).
    exclude=f"tag:{PARTITIONED_TAG}+",
    backfill_policy=single_run,
)
def onboarding_dbt_upstream(context: AssetExecutionContext, dbt: DbtCliResource):
    """`dbt build` of the seeds and the staging of the snapshot tables (accounts, ...)."""
    yield from _build_unpartitioned(context, dbt)


@dbt_assets(
    manifest=dbt_project.manifest_path,
    project=dbt_project,
    dagster_dbt_translator=translator,
    name="onboarding_dbt",
    # The models reading the predictions (and those above them) run after the Python
    # prediction assets, in orchestration/predict/assets.py.
    exclude=f"{UPSTREAM} source:predict+",
    backfill_policy=single_run,
)
def onboarding_dbt(context: AssetExecutionContext, dbt: DbtCliResource):
    """`dbt build` of the account-level and KPI models (from all staged events); the KPI
    marts carry a preview of their headline figures."""
    yield from with_kpi_previews(context, _build_unpartitioned(context, dbt))


def _build_unpartitioned(context: AssetExecutionContext, dbt: DbtCliResource):
    # Buildable: a test runs here when every model it reads is selected or upstream of
    # the selection; a test that also reads the partitioned event models runs with them.
    unset_range = {"ONBOARDING_PARTITION_START": "", "ONBOARDING_PARTITION_END": ""}
    with environment({**unset_range, **PRODUCTION, "DBT_INDIRECT_SELECTION": "buildable"}):
        invocation = dbt.cli(["build"], context=context)
    yield from _streamed(context, invocation)


# What an incremental model says it recomputes, and why (macros/incremental/):
# "int_account_milestones: seeds/milestones.csv changed: recomputing all 3839 accounts".
RECOMPUTE_NOTE = re.compile(r"^(?P<model>\w+): (?P<note>.*\b(computing|recomputing|rebuilding)\b.*)$")


def _with_recompute_notes(context: AssetExecutionContext, invocation: DbtCliInvocation) -> Iterator:
    """dbt's events as Dagster events (what invocation.stream() yields), each incremental
    model's materialization carrying what the run recomputed and why, as metadata."""
    notes: dict[str, str] = {}
    for event in invocation.stream_raw_events():
        message = (event.raw_event.get("info") or {}).get("msg") or ""
        if match := RECOMPUTE_NOTE.match(message):
            notes[match["model"]] = match["note"]
            context.log.info(message)
        for dagster_event in event.to_default_asset_events(
            manifest=invocation.manifest,
            dagster_dbt_translator=invocation.dagster_dbt_translator,
            context=invocation.context,
            target_path=invocation.target_path,
            project=invocation.project,
        ):
            unique_id = getattr(dagster_event, "metadata", {}).get("unique_id")  # a TextMetadataValue
            model = str(getattr(unique_id, "value", unique_id) or "").rsplit(".", 1)[-1]
            if isinstance(dagster_event, Output) and model in notes:
                metadata = {**dagster_event.metadata, "recomputed": notes[model]}
                dagster_event = dagster_event.with_metadata(metadata)
            yield dagster_event


def _streamed(context: AssetExecutionContext, invocation: DbtCliInvocation) -> Iterator:
    """dbt's events; on the Spark target, then the tables dbt built, published as views
    of the DuckDB warehouse file for the Python readers (orchestration/transform/spark_tables.py).
    Each model's materialization carries its table's column types (descriptions.py)."""

    def events() -> Iterator:
        yield from _with_recompute_notes(context, invocation)
        if on_spark():
            with connect_warehouse() as con:
                published = publish_spark_tables(con, invocation.target_path / "manifest.json")
            context.log.info(f"{len(published)} Spark tables readable from {warehouse_path()}")

    yield from with_column_types(
        events(), invocation.manifest, lambda: connect_warehouse(read_only=True), context.log.warning
    )
