"""Drift injection: make chosen landing days go wrong the way event streams do.

    onboarding sample generate ... --drift volume=2026-03-10 --drift schema=2026-03-12,2026-03-20

Each kind spoils the rows that arrive on its days (for `late_arrival`, rows
that would have arrived on the three days before are held back until it):

| kind | what happens on the day |
|---|---|
| volume | 70% of the day's rows never arrive (a half-empty day) |
| unknown_event_names | a tracking change renames page_viewed to page_view |
| schema | the files gain a column (session_id), lose one (properties), and user_id becomes an integer |
| null_rate | user_id is null on 60% of the rows |
| late_arrival | 30% of the rows due on the three days before arrive on this day instead |
| duplicates | 20% of the rows are delivered twice |
| quarantine | 15% of the rows have an unparseable occurred_at |
| event_mix | 60% of page_viewed rows become action_failed (a failure storm) |

Without --drift nothing here runs and the output is byte for byte what it
was. With it, the ground truth in `_truth/` is not adjusted: a drifted sample
is for testing the drift checks, not the metrics.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from onboarding_sample import config as cfg
from onboarding_sample.writer import iso_text

DRIFT_KINDS = (
    "volume",
    "unknown_event_names",
    "schema",
    "null_rate",
    "late_arrival",
    "duplicates",
    "quarantine",
    "event_mix",
)
VOLUME_KEPT = 0.3
RENAMED = ("page_viewed", "page_view")
NULL_USER_SHARE = 0.6
HELD_BACK_SHARE = 0.3
HELD_BACK_DAYS = 3
DUPLICATE_SHARE = 0.2
BROKEN_SHARE = 0.15
MIX_SHARE = 0.6
MIX_FROM_TO = ("page_viewed", "action_failed")


class DriftSpecError(ValueError):
    pass


@dataclass(frozen=True)
class DriftPlan:
    """Which kinds of drift hit which arrival days (day indexes from the start)."""

    days: Mapping[str, frozenset[int]]

    def on(self, kind: str, day: int) -> bool:
        return day in self.days.get(kind, frozenset())

    def as_arguments(self, start: str) -> dict[str, list[str]]:
        first = dt.date.fromisoformat(start)
        return {
            kind: [(first + dt.timedelta(days=d)).isoformat() for d in sorted(days)]
            for kind, days in sorted(self.days.items())
        }


def parse_drift(specs: Iterable[str], start: str, days: int) -> DriftPlan | None:
    """`kind=YYYY-MM-DD[,YYYY-MM-DD...]` options as a plan; None when there are none."""
    first = dt.date.fromisoformat(start)
    plan: dict[str, set[int]] = {}
    for spec in specs:
        kind, _, dates = spec.partition("=")
        if kind not in DRIFT_KINDS:
            raise DriftSpecError(f"unknown drift kind {kind!r} (one of {', '.join(DRIFT_KINDS)})")
        if not dates:
            raise DriftSpecError(f"--drift {spec!r}: give the days, e.g. {kind}=2026-03-10")
        for text in dates.split(","):
            try:
                index = (dt.date.fromisoformat(text.strip()) - first).days
            except ValueError:
                raise DriftSpecError(f"--drift {spec!r}: {text!r} is not a YYYY-MM-DD date") from None
            if not 0 <= index < days:
                raise DriftSpecError(f"--drift {spec!r}: {text} is outside the generated period")
            plan.setdefault(kind, set()).add(index)
    return DriftPlan({k: frozenset(v) for k, v in plan.items()}) if plan else None


def _rng(seed: int, day: int, salt: int) -> np.random.Generator:
    return np.random.default_rng(np.random.SeedSequence([seed, 3, day, salt]))


def hold_back(
    plan: DriftPlan, seed: int, start_ms: int, day: int, table: pa.Table, received: np.ndarray
) -> tuple[pa.Table, np.ndarray]:
    """late_arrival: rows of occurrence day `day` due on the days before a drift day
    arrive on the drift day instead."""
    targets = sorted(plan.days.get("late_arrival", ()))
    if not targets:
        return table, received
    arrival = (received - start_ms) // cfg.DAY_MS
    rng = _rng(seed, day, 1)
    draw = rng.random(len(received))
    new_received = received.copy()
    for target in targets:
        due = (arrival >= target - HELD_BACK_DAYS) & (arrival < target) & (draw < HELD_BACK_SHARE)
        offsets = rng.integers(0, 6 * cfg.HOUR_MS, len(received))
        new_received = np.where(due, start_ms + target * cfg.DAY_MS + offsets, new_received)
    if np.array_equal(new_received, received):
        return table, received
    index = table.schema.get_field_index("received_at")
    return table.set_column(index, "received_at", iso_text(new_received)), new_received


def _replace(table: pa.Table, name: str, values: pa.Array) -> pa.Table:
    return table.set_column(table.schema.get_field_index(name), name, values)


def spoil(plan: DriftPlan, seed: int, day: int, table: pa.Table) -> pa.Table:
    """The rows arriving on `day`, spoilt by every kind of drift planned for it."""
    n = table.num_rows
    if plan.on("volume", day):
        table = table.filter(pa.array(_rng(seed, day, 2).random(n) < VOLUME_KEPT))
        n = table.num_rows
    if plan.on("unknown_event_names", day):
        old, new = RENAMED
        names = table.column("event_name")
        table = _replace(table, "event_name", pc.if_else(pc.equal(names, old), new, names))
    if plan.on("event_mix", day):
        old, new = MIX_FROM_TO
        names = table.column("event_name")
        flip = pc.and_(pc.equal(names, old), pa.array(_rng(seed, day, 3).random(n) < MIX_SHARE))
        table = _replace(table, "event_name", pc.if_else(flip, new, names))
    if plan.on("null_rate", day):
        null = pa.array(_rng(seed, day, 4).random(n) < NULL_USER_SHARE)
        users = table.column("user_id")
        table = _replace(table, "user_id", pc.if_else(null, pa.scalar(None, pa.string()), users))
    if plan.on("quarantine", day):
        broken = pa.array(_rng(seed, day, 5).random(n) < BROKEN_SHARE)
        table = _replace(table, "occurred_at", pc.if_else(broken, "not-a-date", table.column("occurred_at")))
    if plan.on("duplicates", day):
        again = np.flatnonzero(_rng(seed, day, 6).random(n) < DUPLICATE_SHARE)
        table = pa.concat_tables([table, table.take(pa.array(again, pa.int64()))])
    if plan.on("schema", day):
        users = pc.replace_substring(table.column("user_id"), "usr_", "")
        table = _replace(table, "user_id", users.cast(pa.int64()))
        table = table.drop_columns(["properties"])
        sessions = pc.binary_join_element_wise("ses_", table.column("account_id"), "")
        table = table.append_column("session_id", sessions)
    return table
