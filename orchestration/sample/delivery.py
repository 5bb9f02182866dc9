"""How a day's events reach the landing zone: arrival delays, late arrivals,
re-deliveries and broken rows (each kind on disjoint rows, never on planted
milestone events, so the expected quarantine is exact), then one file per
arrival date."""

from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from orchestration.sample import config as cfg
from orchestration.sample.activity import NO_PROPERTIES, NO_USER, DayEvents
from orchestration.sample.world import World
from orchestration.sample.writer import iso_text

# Row-level imperfections, in the order their shares are stacked.
BROKEN_KINDS = (
    "missing_account_id",
    "unknown_account",
    "invalid_occurred_at",
    "occurred_after_received",
    "invalid_properties",
    "unknown_event_name",
)
# Kinds whose rows staging keeps (an unknown event name is valid data).
VALID_KINDS = ("unknown_event_name",)
BAD_TIMESTAMPS = ("not-a-date", "2026-02-30T10:00:00Z", "31/01/2026 10:00", "")
BAD_PROPERTIES = ('{"topic": "billing"', "topic=billing", '{"action": }')
COUNT_KEYS = ("events_written", "duplicate_event_id", "late_arrival", "before_signup", *BROKEN_KINDS)


@dataclass
class DayDelivery:
    """What one day's worker wrote and counted."""

    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(COUNT_KEYS, 0))
    distinct_event_ids: int = 0
    max_valid_received_ms: int = -1
    accounts_with_events: np.ndarray | None = None
    files: list[str] = field(default_factory=list)


def _replace(array: pa.Array, mask: np.ndarray, values) -> pa.Array:
    if not mask.any():
        return array
    return pc.replace_with_mask(array, pa.array(mask), pa.array(values, pa.string()))


def deliver(world: World, day: int, events: DayEvents) -> tuple[pa.Table, np.ndarray, DayDelivery]:
    """The day's rows as landed text, with their arrival times."""
    rng = np.random.default_rng(np.random.SeedSequence([world.params.seed, 2, day]))
    shares = world.params.imperfections
    n, out = len(events), DayDelivery()
    received = events.time + rng.integers(200, 30_000, n)

    eligible = ~events.planted
    stacked = np.cumsum([getattr(shares, kind) for kind in BROKEN_KINDS])
    kind = np.searchsorted(stacked, rng.random(n), side="right")
    kind = np.where(eligible & (kind < len(BROKEN_KINDS)), kind, -1)
    broken = {name: kind == i for i, name in enumerate(BROKEN_KINDS)}
    valid = (kind == -1) | np.isin(kind, [BROKEN_KINDS.index(k) for k in VALID_KINDS])

    late = valid & (rng.random(n) < shares.late)
    delay = (rng.uniform(1.0, 5.0, n) * cfg.DAY_MS).astype(np.int64)
    late &= events.time + delay < world.end_ms
    received = np.where(late, events.time + delay, received)
    received = np.minimum(received, world.end_ms - 1)

    ids = pc.binary_join_element_wise(
        "evt_", pa.array((day + 1) * 100_000_000 + np.arange(n)).cast(pa.string()), ""
    )
    account_ids = pa.array(world.accounts.ids[events.account], pa.string())
    account_ids = _replace(
        account_ids, broken["missing_account_id"], [None] * broken["missing_account_id"].sum()
    )
    account_ids = _replace(
        account_ids,
        broken["unknown_account"],
        [f"acc_x{v:06d}" for v in rng.integers(0, 10**6, broken["unknown_account"].sum())],
    )
    users = pa.array(events.user + 1, mask=events.user == NO_USER).cast(pa.string())
    users = pc.binary_join_element_wise("usr_", users, "")
    names = np.asarray(world.vocab.event_names, dtype=object)
    unknown = broken["unknown_event_name"]
    codes = events.event.copy()
    codes[unknown] = [
        world.vocab.event_code[e]
        for e in np.asarray(cfg.UNKNOWN_EVENT_NAMES)[
            rng.integers(0, len(cfg.UNKNOWN_EVENT_NAMES), unknown.sum())
        ]
    ]
    event_names = pa.array(names, pa.string()).take(pa.array(codes))
    occurred = iso_text(events.time)
    occurred = _replace(
        occurred,
        broken["invalid_occurred_at"],
        list(
            np.asarray(BAD_TIMESTAMPS)[
                rng.integers(0, len(BAD_TIMESTAMPS), broken["invalid_occurred_at"].sum())
            ]
        ),
    )
    ahead = broken["occurred_after_received"]
    future = received[ahead] + (rng.uniform(2.0, 10.0, ahead.sum()) * cfg.DAY_MS).astype(np.int64)
    occurred = _replace(occurred, ahead, iso_text(future).to_pylist())
    props = pa.array(world.vocab.properties, pa.string()).take(
        pa.array(events.prop, mask=events.prop == NO_PROPERTIES)
    )
    bad_props = broken["invalid_properties"]
    props = _replace(
        props,
        bad_props,
        list(np.asarray(BAD_PROPERTIES)[rng.integers(0, len(BAD_PROPERTIES), bad_props.sum())]),
    )
    table = pa.table(
        {
            "event_id": ids,
            "account_id": account_ids,
            "user_id": users,
            "event_name": event_names,
            "occurred_at": occurred,
            "received_at": iso_text(received),
            "properties": props,
        }
    )

    # Re-deliveries of clean rows, arriving up to three days later (if before the end).
    again = np.flatnonzero(valid & (rng.random(n) < shares.duplicate))
    again_at = received[again] + rng.integers(1_000, 3 * cfg.DAY_MS, len(again))
    arrived = again_at < world.end_ms
    again, again_at = again[arrived], again_at[arrived]
    copies = table.take(pa.array(again)).set_column(5, "received_at", iso_text(again_at))
    table = pa.concat_tables([table, copies])
    received = np.concatenate([received, again_at])

    for name in BROKEN_KINDS:
        out.counts[name] = int(broken[name].sum())
    out.counts["events_written"] = table.num_rows
    out.counts["duplicate_event_id"] = len(again)
    out.counts["late_arrival"] = int(late.sum())
    out.counts["before_signup"] = int((events.time < world.accounts.signup_ms[events.account]).sum())
    out.distinct_event_ids = n
    if valid.any():
        out.max_valid_received_ms = int(received[:n][valid].max())
    out.accounts_with_events = np.unique(events.account)
    return table, received, out


def arrival_dates(world: World, received: np.ndarray) -> np.ndarray:
    """The arrival day index (from the start) of each row."""
    return (received - world.start_ms) // cfg.DAY_MS
