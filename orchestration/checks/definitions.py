"""The checks as Dagster asset checks.

- Drift checks (`drift_*`), one result per landing date (partition): the
  schema check on raw/events, the others on staging/base_events. A backfill
  of a range evaluates every date of it, in one step.
- Freshness checks: `dbt source freshness` of raw.events (by received_at),
  reported on landing/events, and partition deadlines: yesterday's landing date of the event assets must
  be materialized by 06:00 UTC. They run in the `onboarding_freshness` job,
  which the freshness sensor launches.

(dbt tests are asset checks too; dagster-dbt makes them, see assets/dbt.py.)
"""

import json
from collections.abc import Iterator
from typing import Any

from dagster import (
    AssetCheckEvaluation,
    AssetCheckExecutionContext,
    AssetCheckKey,
    AssetCheckResult,
    AssetCheckSeverity,
    AssetCheckSpec,
    AssetKey,
    AssetRecordsFilter,
    DagsterInstance,
    MetadataValue,
    Output,
    build_time_partition_freshness_checks,
    multi_asset_check,
)
from dagster._core.definitions.asset_checks.asset_check_evaluation import (
    AssetCheckEvaluationTargetMaterializationData,
)
from dagster_dbt import DbtCliResource

from orchestration.checks.config import load_config
from orchestration.checks.drift import DRIFT_CHECKS, FILE_CHECKS, evaluate
from orchestration.checks.stats import Outcome
from orchestration.landing import load_contracts
from orchestration.landing.partitions import daily_partitions, parse_day
from orchestration.lib import data_dir
from orchestration.transform.resources import WarehouseResource, dbt_project

LANDING_EVENTS = AssetKey(["landing", "events"])
RAW_EVENTS = AssetKey(["raw", "events"])
BASE_EVENTS = AssetKey(["staging", "base_events"])
# Latest materializations are read for this many dates per query, in pages of records.
LOOKUP_PARTITIONS = 500
LOOKUP_RECORDS = 1000
DESCRIPTIONS = {
    "drift_volume": "Rows landed this day against the trailing window, weekday-adjusted (robust z-score).",
    "drift_unknown_event_names": "Share of rows with an event name outside seeds/event_taxonomy.csv.",
    "drift_schema": "Landing files of the day against the contract: columns added, missing, retyped.",
    "drift_null_rate": "Null share of key columns against the trailing window's median.",
    "drift_late_arrival": "Share of staged rows received a day or more after they occurred.",
    "drift_duplicates": "Share of rows that re-deliver an event that already landed.",
    "drift_quarantine": "Share of rows quarantined (other than re-deliveries).",
    "drift_event_mix": "Event-name mix against the trailing window (population stability index).",
}
CONFIG = load_config()


def _target(name: str) -> AssetKey:
    return RAW_EVENTS if name in FILE_CHECKS else BASE_EVENTS


drift_specs = [
    AssetCheckSpec(
        name,
        asset=_target(name),
        description=DESCRIPTIONS[name] + " Thresholds: config/drift_checks.yml.",
        partitions_def=daily_partitions,
        metadata={"config_section": section, "thresholds": MetadataValue.json(CONFIG[section])},
    )
    for name, section in DRIFT_CHECKS.items()
]


def _metadata(outcome: Outcome) -> dict[str, Any]:
    metadata: dict[str, Any] = {
        "value": MetadataValue.float(float(outcome.value)) if outcome.value is not None else None,
        "threshold": MetadataValue.float(float(outcome.threshold)),
        "judged": outcome.judged,
        "summary": outcome.summary,
    }
    for key, value in outcome.details.items():
        metadata[key] = MetadataValue.json(value) if isinstance(value, dict | list) else value
    return {k: v for k, v in metadata.items() if v is not None}


def _severity(name: str) -> AssetCheckSeverity:
    level = CONFIG[DRIFT_CHECKS[name]]["severity"]
    return AssetCheckSeverity.ERROR if level == "error" else AssetCheckSeverity.WARN


def _latest_materializations(
    instance: DagsterInstance, asset: AssetKey, partitions: list[str]
) -> dict[str, AssetCheckEvaluationTargetMaterializationData]:
    """The latest materialization of each of `partitions`, the one its evaluation judges.
    Dagster shows a partition's check status (Passed, Failed: the check's Partitions tab)
    only for an evaluation that names the partition's latest materialization; without it
    every date shows Missing. Read in pages of many partitions, not one query per date: a
    decade of dates is 3,650 of them."""
    latest: dict[str, AssetCheckEvaluationTargetMaterializationData] = {}
    for start in range(0, len(partitions), LOOKUP_PARTITIONS):
        records_filter = AssetRecordsFilter(
            asset_key=asset, asset_partitions=partitions[start : start + LOOKUP_PARTITIONS]
        )
        cursor = None
        while True:  # newest first: the first record of a partition is its latest
            page = instance.fetch_materializations(records_filter, limit=LOOKUP_RECORDS, cursor=cursor)
            for record in page.records:
                latest.setdefault(
                    record.partition_key,
                    AssetCheckEvaluationTargetMaterializationData(
                        run_id=record.event_log_entry.run_id,
                        storage_id=record.storage_id,
                        timestamp=record.timestamp,
                    ),
                )
            if not page.has_more:
                break
            cursor = page.cursor
    return latest


@multi_asset_check(specs=drift_specs, can_subset=True, name="events_drift_checks")
def events_drift_checks(context: AssetCheckExecutionContext, warehouse: WarehouseResource) -> Iterator:
    """Evaluate the selected drift checks for every landing date of the run."""
    op_context = context.op_execution_context
    keys = op_context.partition_key_range
    first, last = parse_day(keys.start), parse_day(keys.end)
    selected = tuple(
        name
        for name in DRIFT_CHECKS
        if AssetCheckKey(_target(name), name) in context.selected_asset_check_keys
    )
    contract = load_contracts()["events"]
    with warehouse.connect(read_only=True) as con:
        results = evaluate(con, data_dir(), contract, first, last, CONFIG, selected)
    partitions = [day.isoformat() for day in results]
    latest = {
        asset: _latest_materializations(op_context.instance, asset, partitions)
        for asset in {_target(name) for name in selected}
    }
    for day, outcomes in results.items():
        for name, outcome in outcomes.items():
            if not outcome.passed:
                context.log.warning(f"{name} {day}: {outcome.summary}")
            yield AssetCheckEvaluation(
                asset_key=_target(name),
                check_name=name,
                passed=outcome.passed,
                metadata=_metadata(outcome),
                severity=_severity(name),
                description=outcome.summary,
                partition=day.isoformat(),
                target_materialization_data=latest[_target(name)].get(day.isoformat()),
            )
    # Each check's output, once the per-partition evaluations are out.
    for name in selected:
        output = op_context.assets_def.get_output_name_for_asset_check_key(AssetCheckKey(_target(name), name))
        yield Output(None, output_name=output)


@multi_asset_check(
    specs=[
        # On the landing asset: it measures how recent the landed events are (received_at),
        # not when they were loaded, so it runs on its own (freshness sensor), not with every
        # load or backfill of raw/events.
        AssetCheckSpec(
            "dbt_source_freshness",
            asset=LANDING_EVENTS,
            description="`dbt source freshness` of raw.events: the latest received_at of the landed "
            "events against the clock (warn after 36 hours, error after 60; models/staging/_sources.yml).",
        )
    ],
    name="dbt_source_freshness",
)
def dbt_source_freshness(dbt: DbtCliResource) -> Iterator[AssetCheckResult]:
    """Run `dbt source freshness` and report it as a check of landing/events."""
    invocation = dbt.cli(
        ["source", "freshness", "--select", "source:onboarding.raw.events"],
        manifest=dbt_project.manifest_path,
        raise_on_error=False,
    )
    invocation.wait()
    results = invocation.get_artifact("sources.json").get("results", [])
    (result,) = [r for r in results if r["unique_id"] == "source.onboarding.raw.events"] or [None]
    if result is None:
        yield AssetCheckResult(passed=False, metadata={"error": "dbt source freshness gave no result"})
        return
    status = result.get("status", "runtime error")
    criteria = result.get("criteria", {})
    yield AssetCheckResult(
        passed=status == "pass",
        severity=AssetCheckSeverity.WARN if status in ("pass", "warn") else AssetCheckSeverity.ERROR,
        metadata={
            "status": status,
            "max_loaded_at": str(result.get("max_loaded_at")),
            "snapshotted_at": str(result.get("snapshotted_at")),
            "age_hours": round(float(result.get("max_loaded_at_time_ago_in_s") or 0) / 3600, 2),
            "criteria": MetadataValue.json(json.loads(json.dumps(criteria, default=str))),
            "error": str(result.get("error") or ""),
        },
    )


# Partition-aware staleness: yesterday's landing date missing at 06:00 UTC = stale.
partition_freshness_checks = build_time_partition_freshness_checks(
    assets=[RAW_EVENTS, BASE_EVENTS, AssetKey(["staging", "stg_events"])],
    deadline_cron="0 6 * * *",
    timezone="UTC",
)

freshness_checks = [dbt_source_freshness, *partition_freshness_checks]
drift_checks = [events_drift_checks]
