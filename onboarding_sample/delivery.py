"""How a day's events reach the landing zone: arrival delays, late arrivals,
re-deliveries and broken rows (each kind on disjoint rows, never on planted
milestone events, so the expected quarantine is exact), then one file per
arrival date."""

from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from onboarding_sample import config as cfg
from onboarding_sample.activity import NO_PROPERTIES, NO_USER, DayEvents
from onboarding_sample.world import World
from onboarding_sample.writer import iso_text

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


def _text(values: pa.Array, codes: np.ndarray, null: np.ndarray | None = None) -> pa.Array:
    """Strings by code from a small vocabulary (one take)."""
    return values.take(pa.array(codes, mask=null))


def _break_rows(
    rng, table: pa.Table, broken: dict[str, np.ndarray], received: np.ndarray, world: World
) -> pa.Table:
    """The broken rows, each spoilt in its own way (few rows: plain Python is fine)."""
    rows = {name: np.flatnonzero(mask) for name, mask in broken.items() if name not in VALID_KINDS}
    order = np.concatenate(list(rows.values())) if rows else np.array([], dtype=np.int64)
    spoilt = table.take(pa.array(order, pa.int64())).to_pydict()
    position = 0
    for name, index in rows.items():
        for i in range(len(index)):
            row = position + i
            if name == "missing_account_id":
                spoilt["account_id"][row] = None
            elif name == "unknown_account":
                spoilt["account_id"][row] = f"acc_x{rng.integers(0, 10**6):06d}"
            elif name == "invalid_occurred_at":
                spoilt["occurred_at"][row] = str(rng.choice(BAD_TIMESTAMPS))
            elif name == "occurred_after_received":
                ahead = received[index[i]] + int(rng.uniform(2.0, 10.0) * cfg.DAY_MS)
                spoilt["occurred_at"][row] = iso_text(np.array([ahead])).to_pylist()[0]
            elif name == "invalid_properties":
                spoilt["properties"][row] = str(rng.choice(BAD_PROPERTIES))
        position += len(index)
    return pa.table(spoilt, schema=table.schema), order


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

    codes = events.event.copy()
    unknown = np.flatnonzero(broken["unknown_event_name"])
    codes[unknown] = [world.vocab.event_code[e] for e in rng.choice(cfg.UNKNOWN_EVENT_NAMES, len(unknown))]
    table = pa.table(
        {
            "event_id": pc.binary_join_element_wise(
                "evt_", pa.array((day + 1) * 100_000_000 + np.arange(n)).cast(pa.string()), ""
            ),
            "account_id": _text(world.account_text, events.account),
            "user_id": pc.binary_join_element_wise(
                "usr_", pa.array(events.user + 1, mask=events.user == NO_USER).cast(pa.string()), ""
            ),
            "event_name": _text(world.event_name_text, codes),
            "occurred_at": iso_text(events.time),
            "received_at": iso_text(received),
            "properties": _text(world.property_text, events.prop, events.prop == NO_PROPERTIES),
        }
    )
    spoilt, spoilt_rows = _break_rows(rng, table, broken, received, world)
    keep = np.ones(n, dtype=bool)
    keep[spoilt_rows] = False
    table = pa.concat_tables([table.filter(pa.array(keep)), spoilt])
    received = np.concatenate([received[keep], received[spoilt_rows]])
    valid = np.concatenate([valid[keep], valid[spoilt_rows]])
    clean = np.concatenate([kind[keep] == -1, kind[spoilt_rows] == -1])

    # Re-deliveries of clean rows, arriving up to three days later (if before the end): not
    # of a row with an unknown event name, which would count twice in the truth's counts.
    again = np.flatnonzero(clean & (rng.random(n) < shares.duplicate))
    again_at = received[again] + rng.integers(1_000, 3 * cfg.DAY_MS, len(again))
    arrived = again_at < world.end_ms
    again, again_at = again[arrived], again_at[arrived]
    copies = table.take(pa.array(again, pa.int64())).set_column(5, "received_at", iso_text(again_at))
    table = pa.concat_tables([table, copies])

    for name in BROKEN_KINDS:
        out.counts[name] = int(broken[name].sum())
    out.counts["events_written"] = table.num_rows
    out.counts["duplicate_event_id"] = len(again)
    out.counts["late_arrival"] = int(late.sum())
    out.counts["before_signup"] = int((events.time < world.accounts.signup_ms[events.account]).sum())
    out.distinct_event_ids = n
    if valid.any():
        out.max_valid_received_ms = int(received[valid].max())
    out.accounts_with_events = np.unique(events.account)
    return table, np.concatenate([received, again_at]), out


def arrival_dates(world: World, received: np.ndarray) -> np.ndarray:
    """The arrival day index (from the start) of each row."""
    return (received - world.start_ms) // cfg.DAY_MS
