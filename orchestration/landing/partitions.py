"""Daily partitions of the event layers: one partition per landing (arrival) date, UTC.

Events land in `events/date=YYYY-MM-DD/` folders by the day they reached us;
that date is the partition key of the landing, raw and staging event assets,
and the unit that the incremental dbt models delete and rewrite. A late event
(received days after it occurred) belongs to the partition of the day it
arrived, so it is never lost: the next daily run loads it, and the
account-level models downstream, which are rebuilt from all staged events,
reflect it.

The partitions follow the data: the first one is the earliest landing date of
the landing zone (its earliest `date=` folder of events, or, for events files
directly in `events/`, whose landing date is the day of `received_at`, the
earliest plausible `received_at` day in them), unless ONBOARDING_PARTITIONS_START
sets it; with no events landed, 2026-01-01 (the sample generator's default
start). The last one is yesterday (a day is partitioned once it is over).
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from dagster import AssetExecutionContext, BackfillPolicy, DailyPartitionsDefinition

from orchestration import settings

_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


class PartitionKeyError(ValueError):
    """A partition key or date that is not a valid YYYY-MM-DD day."""


def parse_day(value: str, what: str = "partition key") -> dt.date:
    """A YYYY-MM-DD string as a date; anything else raises PartitionKeyError.

    Partition keys end up in SQL (the dbt range, the loader's folders), so they
    are checked here rather than trusted.
    """
    text = str(value).strip()
    if not _ISO_DATE.fullmatch(text):
        raise PartitionKeyError(f"{what} {value!r} is not a date of the form YYYY-MM-DD")
    try:
        return dt.date.fromisoformat(text)
    except ValueError as exc:
        raise PartitionKeyError(f"{what} {value!r} is not a valid date ({exc})") from None


def earliest_plausible_date() -> dt.date:
    """The var `earliest_plausible_date` of dbt_project.yml: staging quarantines anything earlier."""
    import yaml

    project = yaml.safe_load((Path(__file__).resolve().parents[2] / "dbt_project.yml").read_text())
    return dt.date.fromisoformat(str(project["vars"]["earliest_plausible_date"]))


def partitions_start(data_dir: Path | None = None, today: dt.date | None = None) -> str:
    """The first daily partition: ONBOARDING_PARTITIONS_START when set, else the first
    landed date of the landing zone (never after yesterday), else the setting's default."""
    if settings.raw("ONBOARDING_PARTITIONS_START") is not None:
        return settings.parsed("ONBOARDING_PARTITIONS_START").isoformat()
    if data_dir is None:
        from orchestration.lib import data_dir as configured

        data_dir = configured()
    landed = landed_range(data_dir)
    if landed is None:
        return settings.parsed("ONBOARDING_PARTITIONS_START").isoformat()
    yesterday = (today or dt.datetime.now(dt.UTC).date()) - dt.timedelta(days=1)
    return min(landed[0], yesterday).isoformat()


# A backfill of any range is one run: one loader call and one dbt invocation.
single_run = BackfillPolicy.single_run()


def partition_date_range(context: AssetExecutionContext) -> tuple[dt.date, dt.date]:
    """The first and last landing date (inclusive) of a run: one partition or a backfill range."""
    keys = context.partition_key_range
    start, end = parse_day(keys.start), parse_day(keys.end)
    if start > end:
        raise PartitionKeyError(f"partition range {start}..{end} is reversed")
    return start, end


def days(start: dt.date, end: dt.date) -> list[dt.date]:
    """Every date from start to end, inclusive."""
    return [start + dt.timedelta(days=i) for i in range((end - start).days + 1)]


def dbt_partition_env(start: dt.date, end: dt.date) -> dict[str, str]:
    """The variables the dbt models read the range from (env_var keeps partial parsing)."""
    return {"ONBOARDING_PARTITION_START": start.isoformat(), "ONBOARDING_PARTITION_END": end.isoformat()}


def landed_dates(data_dir: Path, table: str = "events") -> list[dt.date]:
    """The landing dates that have a `date=YYYY-MM-DD` folder for the table, from the one
    discovery of landing files every path uses (orchestration/landing/files.py)."""
    from orchestration.landing.files import discover_files

    return sorted({f.landing_date for f in discover_files(data_dir, table) if f.landing_date is not None})


def landed_range(data_dir: Path) -> tuple[dt.date, dt.date] | None:
    """The first and last landing date of the events: their `date=` folders, and the
    `received_at` days of the files directly in `events/` (which is their landing date);
    None when no event is landed. Every Dagster run loads those undated files whatever its
    range, so a run of this whole range loads and builds everything."""
    dates = landed_dates(data_dir)
    undated = undated_received_days(data_dir)
    if undated is not None:
        dates = sorted([*dates, *undated])
    return (dates[0], dates[-1]) if dates else None


_DAYS_OF = (
    "select min(d), max(d) from (select cast(try_cast(cast(received_at as varchar) as timestamptz) as date)"
    " as d from {reader}) where d between ? and ?"
)
_UNDATED_CSV = _DAYS_OF.replace("{reader}", "read_csv(?, all_varchar = true, header = true)")
_UNDATED_PARQUET = _DAYS_OF.replace("{reader}", "read_parquet(?, hive_partitioning = false)")
_UNDATED_CACHE: dict[str, tuple[dt.date, dt.date] | None] = {}


def undated_received_days(data_dir: Path, today: dt.date | None = None) -> tuple[dt.date, dt.date] | None:
    """The first and last plausible `received_at` day of the events files that sit directly in
    `events/` (not in a `date=` folder), or None. Values that do not parse, or fall before
    `earliest_plausible_date` or after tomorrow, are left out (staging quarantines them):
    one bad row cannot stretch the partitions over decades. Files that cannot be read are
    left out here too (loading them fails naming them). Cached per set of files."""
    import duckdb

    from orchestration.landing.files import discover_files, partition_signature
    from orchestration.sql import readable_path

    files = [f for f in discover_files(data_dir, "events") if f.partition == "" and f.problem is None]
    if not files:
        return None
    key = partition_signature(files)
    if key in _UNDATED_CACHE:
        return _UNDATED_CACHE[key]
    low = earliest_plausible_date()
    high = (today or dt.datetime.now(dt.UTC).date()) + dt.timedelta(days=1)
    days: list[dt.date] = []
    with duckdb.connect() as con:
        con.execute("set TimeZone = 'UTC'")
        for file in files:
            query = _UNDATED_CSV if file.format == "csv" else _UNDATED_PARQUET
            try:
                with readable_path(file.path) as path:
                    first, last = con.execute(query, [path, low, high]).fetchone()
            except duckdb.Error:
                continue
            days += [d for d in (first, last) if d is not None]
    found = (min(days), max(days)) if days else None
    _UNDATED_CACHE[key] = found
    return found


def range_tags(start: dt.date, end: dt.date) -> dict[str, str]:
    """The run tags of a single-run backfill of a partition range."""
    return {
        "dagster/asset_partition_range_start": start.isoformat(),
        "dagster/asset_partition_range_end": end.isoformat(),
    }


# Computed when the code location loads, from the landing zone as it is then.
daily_partitions = DailyPartitionsDefinition(start_date=partitions_start(), timezone="UTC", fmt="%Y-%m-%d")
