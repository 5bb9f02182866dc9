"""The drift checks of the `events` landing dates: gather the numbers (queries.py),
judge them (stats.py) with the thresholds of config/drift_checks.yml."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from pathlib import Path

import duckdb

from orchestration.checks import queries, stats
from orchestration.landing import LandingFile, LandingFileError, TableContract, discover_files
from orchestration.landing.partitions import days

# Check name -> the config section it reads. The schema check is about the
# landing files (asset raw/events); the others about the landed rows
# (asset staging/base_events).
DRIFT_CHECKS = {
    "drift_volume": "volume",
    "drift_unknown_event_names": "unknown_event_names",
    "drift_schema": "schema",
    "drift_null_rate": "null_rate",
    "drift_late_arrival": "late_arrival",
    "drift_duplicates": "duplicates",
    "drift_quarantine": "quarantine",
    "drift_event_mix": "event_mix",
}
FILE_CHECKS = ("drift_schema",)
ROW_CHECKS = tuple(name for name in DRIFT_CHECKS if name not in FILE_CHECKS)


def landing_schemas(
    con: duckdb.DuckDBPyConnection, files: list[LandingFile], day: dt.date
) -> dict[str, tuple[str, dict[str, str]]]:
    """The columns and types of every landing file of one landing date."""
    schemas = {}
    for file in files:
        if file.landing_date != day or file.problem:
            continue
        try:
            schemas[file.relpath] = (file.format, queries.file_schema(con, str(file.path), file.format))
        except duckdb.Error as exc:
            raise LandingFileError(file.relpath, f"cannot be read ({str(exc).splitlines()[0]})") from None
    return schemas


def judge_schema(contract: TableContract, schemas: Mapping, config: dict) -> stats.Outcome:
    section = config["schema"]
    return stats.schema_drift(
        contract.landing_types,
        schemas,
        section["max_added_columns"],
        section["max_missing_columns"],
        section["max_retyped_columns"],
    )


def judge_rows(
    day: dt.date,
    profiles: Mapping[dt.date, dict],
    mixes: Mapping[dt.date, dict[str, int]],
    config: dict,
    case_variants: Mapping[dt.date, dict[str, dict]] | None = None,
) -> dict[str, stats.Outcome]:
    """Every row-level drift check of one landing date, from the profiles of the day and of
    the `trailing_days` before it (a day without rows has no profile)."""
    window = days(day - dt.timedelta(days=config["trailing_days"]), day - dt.timedelta(days=1))
    today = profiles.get(day)
    rows = today["rows_landed"] if today else 0
    staged = today["staged"] if today else 0
    history = [profiles[d] for d in window if d in profiles and profiles[d]["rows_landed"] > 0]
    outcomes: dict[str, stats.Outcome] = {}

    volume = config["volume"]
    outcomes["drift_volume"] = stats.volume_drift(
        [(d, profiles[d]["rows_landed"] if d in profiles else 0) for d in window],
        day,
        rows,
        volume["max_abs_z"],
        volume["min_ratio"],
        volume["min_history_days"],
        volume["min_scale"],
    )
    unknown = config["unknown_event_names"]
    outcomes["drift_unknown_event_names"] = stats.unknown_names_drift(
        today["unknown_names"] if today else 0,
        rows,
        unknown["max_share"],
        (case_variants or {}).get(day, {}),
        unknown["max_case_variant_rows"],
    )
    nulls = config["null_rate"]
    columns = nulls["columns"]
    outcomes["drift_null_rate"] = stats.null_rate_drift(
        {c: today[f"null_{c}"] / rows for c in columns} if rows else {},
        {c: [p[f"null_{c}"] / p["rows_landed"] for p in history] for c in columns},
        nulls["max_abs_change"],
        nulls["min_history_days"],
    )
    outcomes["drift_late_arrival"] = stats.share_drift(
        today["late_arrivals"] if today else 0,
        staged,
        config["late_arrival"]["max_share"],
        "received a day or more after they occurred",
    )
    outcomes["drift_duplicates"] = stats.share_drift(
        today["duplicates"] if today else 0, rows, config["duplicates"]["max_share"], "re-delivered"
    )
    outcomes["drift_quarantine"] = stats.share_drift(
        today["quarantined"] if today else 0, rows, config["quarantine"]["max_share"], "quarantined"
    )
    mix = config["event_mix"]
    baseline: dict[str, int] = {}
    for d in window:
        for name, count in mixes.get(d, {}).items():
            baseline[name] = baseline.get(name, 0) + count
    outcomes["drift_event_mix"] = stats.event_mix_drift(
        mixes.get(day, {}), baseline, len(history), mix["max_psi"], mix["min_rows"], mix["min_history_days"]
    )
    return outcomes


def evaluate(
    con: duckdb.DuckDBPyConnection,
    data_dir: Path,
    contract: TableContract,
    first: dt.date,
    last: dt.date,
    config: dict,
    checks: tuple[str, ...] = tuple(DRIFT_CHECKS),
) -> dict[dt.date, dict[str, stats.Outcome]]:
    """Every selected drift check for every landing date from first to last."""
    results: dict[dt.date, dict[str, stats.Outcome]] = {day: {} for day in days(first, last)}
    if any(c in ROW_CHECKS for c in checks):
        since = first - dt.timedelta(days=config["trailing_days"])
        profiles = queries.daily_profiles(con, since, last)
        mixes = queries.daily_event_mix(con, since, last)
        variants = queries.daily_case_variants(con, first, last)
        for day in results:
            judged = judge_rows(day, profiles, mixes, config, variants)
            results[day].update({name: judged[name] for name in checks if name in judged})
    if "drift_schema" in checks:
        files = discover_files(data_dir, contract.name)
        for day in results:
            results[day]["drift_schema"] = judge_schema(contract, landing_schemas(con, files, day), config)
    return results
