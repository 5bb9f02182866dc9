"""Every SQL statement of the drift checks, in one place.

They read the warehouse (staging.base_events: every landed event row, typed,
with its quarantine reason; config.event_taxonomy: the known event names) and
the landing files of a day (their column names and types).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import duckdb

from orchestration.sql import readable_path

EVENTS = "staging.base_events"
TAXONOMY = "config.event_taxonomy"
UNKNOWN = "(unknown)"
# Key columns whose null share is profiled (the null_rate check picks among them).
PROFILED_COLUMNS = (
    "event_id",
    "account_id",
    "user_id",
    "event_name",
    "occurred_at",
    "received_at",
    "properties",
)

DAILY_PROFILE = f"""
    select
        events.landing_date,
        count(*) as rows_landed,
        count(*) filter (
            where events.event_name is not null and taxonomy.event_name is null
        ) as unknown_names,
        count(*) filter (
            where taxonomy.event_name is null
            and lower(events.event_name) in (select lower(known.event_name) from {TAXONOMY} as known)
        ) as case_variants,
        count(*) filter (where events.quarantine_reason is null) as staged,
        count(*) filter (
            where events.quarantine_reason is null
            and events.received_at >= events.occurred_at + interval 1 day
        ) as late_arrivals,
        count(*) filter (where events.quarantine_reason = 'duplicate_event_id') as duplicates,
        count(*) filter (
            where events.quarantine_reason is not null and events.quarantine_reason <> 'duplicate_event_id'
        ) as quarantined,
        {", ".join(f"count(*) filter (where events.{c} is null) as null_{c}" for c in PROFILED_COLUMNS)}
    from {EVENTS} as events
    left join {TAXONOMY} as taxonomy on events.event_name = taxonomy.event_name
    where events.landing_date between ? and ?
    group by events.landing_date
    order by events.landing_date
"""

DAILY_EVENT_MIX = f"""
    select
        events.landing_date,
        coalesce(taxonomy.event_name, '{UNKNOWN}') as event_name,
        count(*) as rows_staged
    from {EVENTS} as events
    left join {TAXONOMY} as taxonomy on events.event_name = taxonomy.event_name
    where events.quarantine_reason is null and events.landing_date between ? and ?
    group by all
"""

# Event names outside the taxonomy that differ from a known name only in case.
DAILY_CASE_VARIANTS = f"""
    select
        events.landing_date, events.event_name, min(known.event_name) as known_name, count(*) as rows_landed
    from {EVENTS} as events
    inner join {TAXONOMY} as known on lower(events.event_name) = lower(known.event_name)
    where events.landing_date between ? and ?
        and events.event_name not in (select taxonomy.event_name from {TAXONOMY} as taxonomy)
    group by all
    order by all
"""

PARQUET_SCHEMA = "describe select * from read_parquet(?, hive_partitioning = false)"
# CSV has no types: DuckDB's sniffer guesses them from the values.
CSV_SCHEMA = "describe select * from read_csv(?, header = true, sample_size = 20480)"


def daily_profiles(con: duckdb.DuckDBPyConnection, first: dt.date, last: dt.date) -> dict[dt.date, dict]:
    """Per landing date from first to last: row counts by kind and null counts by column."""
    cursor = con.execute(DAILY_PROFILE, [first, last])
    names = [d[0] for d in cursor.description]
    return {row[0]: dict(zip(names, row, strict=True)) for row in cursor.fetchall()}


def daily_event_mix(
    con: duckdb.DuckDBPyConnection, first: dt.date, last: dt.date
) -> dict[dt.date, dict[str, int]]:
    """Per landing date: staged rows by event name (names outside the taxonomy as one)."""
    mix: dict[dt.date, dict[str, int]] = {}
    for day, name, rows in con.execute(DAILY_EVENT_MIX, [first, last]).fetchall():
        mix.setdefault(day, {})[name] = int(rows)
    return mix


def daily_case_variants(
    con: duckdb.DuckDBPyConnection, first: dt.date, last: dt.date
) -> dict[dt.date, dict[str, dict]]:
    """Per landing date: each case variant of a known event name, its known name and rows."""
    variants: dict[dt.date, dict[str, dict]] = {}
    for day, name, known, rows in con.execute(DAILY_CASE_VARIANTS, [first, last]).fetchall():
        variants.setdefault(day, {})[name] = {"known_name": known, "rows": int(rows)}
    return variants


def file_schema(con: duckdb.DuckDBPyConnection, path: str, file_format: str) -> dict[str, str]:
    """Column name -> DuckDB type of a landing file."""
    query = PARQUET_SCHEMA if file_format == "parquet" else CSV_SCHEMA
    with readable_path(path) as readable:
        return {row[0]: row[1] for row in con.execute(query, [readable]).fetchall()}


def tables_exist(con: duckdb.DuckDBPyConnection, names: Sequence[str] = (EVENTS, TAXONOMY)) -> bool:
    found = {
        f"{schema}.{table}"
        for schema, table in con.execute(
            "select table_schema, table_name from information_schema.tables"
        ).fetchall()
    }
    return all(name in found for name in names)
