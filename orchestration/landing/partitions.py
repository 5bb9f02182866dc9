"""Daily partitions of the event layers: one partition per landing (arrival) date, UTC.

Events land in `events/date=YYYY-MM-DD/` folders by the day they reached us;
that date is the partition key of the landing, raw and staging event assets,
and the unit that the incremental dbt models delete and rewrite. A late event
(received days after it occurred) belongs to the partition of the day it
arrived, so it is never lost: the next daily run loads it, and the
account-level models downstream, which are rebuilt from all staged events,
reflect it.

The first partition is ONBOARDING_PARTITIONS_START (default 2026-01-01, the
sample generator's default start); the last one is yesterday (a day is
partitioned once it is over).
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


def partitions_start() -> str:
    return settings.parsed("ONBOARDING_PARTITIONS_START").isoformat()


daily_partitions = DailyPartitionsDefinition(start_date=partitions_start(), timezone="UTC", fmt="%Y-%m-%d")

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


def range_tags(start: dt.date, end: dt.date) -> dict[str, str]:
    """The run tags of a single-run backfill of a partition range."""
    return {
        "dagster/asset_partition_range_start": start.isoformat(),
        "dagster/asset_partition_range_end": end.isoformat(),
    }
