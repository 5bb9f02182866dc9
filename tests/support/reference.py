"""Plain-Python reference implementations of the metric definitions, written
independently of the SQL (different algorithms), to check the marts on
generated data."""

import csv
import math
from bisect import bisect_left
from collections import defaultdict
from datetime import timedelta
from pathlib import Path

SEEDS = Path(__file__).resolve().parents[2] / "seeds"


def read_seed(name: str) -> list[dict]:
    with open(SEEDS / f"{name}.csv", newline="") as handle:
        return list(csv.DictReader(handle))


def kaplan_meier_median(durations: list[float], reached: list[bool]) -> float | None:
    """The first time at which the estimated share not yet reached is <= 0.5."""
    survival = 1.0
    times = sorted({d for d, r in zip(durations, reached, strict=True) if r})
    for t in times:
        at_risk = sum(1 for d in durations if d >= t)
        events = sum(1 for d, r in zip(durations, reached, strict=True) if r and d == t)
        survival *= 1 - events / at_risk
        if survival <= 0.5 + 1e-9:
            return t
    return None


def percentile(values: list[float], fraction: float) -> float | None:
    """Linear interpolation between closest ranks (as quantile_cont)."""
    if not values:
        return None
    ordered = sorted(values)
    position = (len(ordered) - 1) * fraction
    low, high = math.floor(position), math.ceil(position)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def funnel_progress(events: list[tuple], steps: list[str], window_seconds: float) -> tuple | None:
    """One account's counted attempt: (furthest step, first step at, converted at).

    `events`: (occurred_at, event_id, event_name), any order. Every occurrence
    of step 1 starts an attempt, which takes for each next step the earliest
    unused event of that name at or after the previous step's time, within
    the window; the furthest attempt counts, the latest-starting on a tie.
    """
    ordered = sorted(events)
    times = [e[0] for e in ordered]
    best = None
    for index, (start, _, name) in enumerate(ordered):
        if name != steps[0]:
            continue
        used, previous, reached = {index}, start, [start]
        for step_name in steps[1:]:
            limit = start + timedelta(seconds=window_seconds)
            chosen = None
            for i in range(bisect_left(times, previous), len(ordered)):
                t, _, n = ordered[i]
                if t > limit:
                    break
                if n == step_name and i not in used:
                    chosen = i
                    break
            if chosen is None:
                break
            used.add(chosen)
            previous = ordered[chosen][0]
            reached.append(previous)
        if best is None or (len(reached), start) >= (best[0], best[1]):
            best = (len(reached), start, reached[-1] if len(reached) == len(steps) else None)
    return best


def funnels_by_account(events_by_account: dict) -> dict:
    """(funnel, account) -> funnel_progress, for every configured funnel."""
    windows = {row["funnel_name"]: float(row["conversion_window_seconds"]) for row in read_seed("funnels")}
    steps = defaultdict(list)
    for row in sorted(read_seed("funnel_steps"), key=lambda r: int(r["step_number"])):
        steps[row["funnel_name"]].append(row["event_name"])
    result = {}
    for funnel, names in steps.items():
        for account, events in events_by_account.items():
            progress = funnel_progress([e for e in events if e[2] in names], names, windows[funnel])
            if progress is not None:
                result[(funnel, account)] = progress
    return result


def monthly_mrr(periods: list[dict], signups: dict, as_of) -> dict:
    """(account, month start) -> MRR active at the month's end (the first instant of
    the next month) or at `as_of` for the month in progress, from the sign-up month
    to the as-of month: a loop over calendar months, independent of the SQL."""
    by_account = defaultdict(list)
    for period in periods:
        by_account[period["account_id"]].append(period)
    result = {}
    for account, signed_up_at in signups.items():
        month = signed_up_at.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
        while month <= as_of:
            following = month.replace(year=month.year + month.month // 12, month=month.month % 12 + 1)
            at = min(following, as_of)
            result[(account, month.date())] = sum(
                p["mrr"]
                for p in by_account[account]
                if p["period_start"] <= at and (p["period_end"] is None or p["period_end"] > at)
            )
            month = following
    return result


def sessions(events: list[tuple], inactivity_seconds: float = 1800) -> list[tuple]:
    """(user, start, end) of each session: a user's events, in order, split where more
    than `inactivity_seconds` pass between two of them. `events`: (occurred_at, event_id, user)."""
    by_user = defaultdict(list)
    for occurred, event_id, user in events:
        if user is not None:
            by_user[user].append((occurred, event_id))
    result = []
    for user, rows in by_user.items():
        rows.sort()
        start = previous = rows[0][0]
        for occurred, _ in rows[1:]:
            if (occurred - previous).total_seconds() > inactivity_seconds:
                result.append((user, start, previous))
                start = occurred
            previous = occurred
        result.append((user, start, previous))
    return result
