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


def resolve_rule(rule: str, taxonomy: list[dict]) -> frozenset:
    """The event names an event rule of the seeds stands for: parts separated by '|'
    (surrounding spaces dropped), each an event name (itself) or 'category:<category>'
    (every event of that category of `taxonomy`, rows of seeds/event_taxonomy.csv)."""
    names = set()
    for part in (p.strip() for p in rule.split("|")):
        if part.startswith("category:"):
            category = part.removeprefix("category:")
            names.update(row["event_name"] for row in taxonomy if row["category"] == category)
        else:
            names.add(part)
    return frozenset(names)


def _fills(event: tuple, step: tuple) -> bool:
    """Whether an event (occurred_at, event_id, name, properties) can fill a step
    (name or set of names, property key or None, property value)."""
    name, key, value = step
    if event[2] not in ({name} if isinstance(name, str) else name):
        return False
    if key is None:
        return True
    found = (event[3] or {}).get(key)
    if isinstance(found, bool):
        found = "true" if found else "false"
    return found is not None and str(found) == value


def _ordered_attempts(stream: list[tuple], steps: list[tuple], window: timedelta, strict: bool) -> list[list]:
    """Every attempt (one per event filling step 1) of an ordered or strict funnel:
    the times it reached its steps. Ordered: each next step takes the earliest unused
    event that fills it at or after the previous step's time, within the window.
    Strict: the next step must be filled by the very next event of the stream."""
    times = [e[0] for e in stream]
    attempts = []
    for index, event in enumerate(stream):
        if not _fills(event, steps[0]):
            continue
        start = event[0]
        used, previous, position, reached = {index}, start, index, [start]
        for step in steps[1:]:
            chosen = None
            if strict:
                candidate = position + 1
                fits = candidate < len(stream) and _fills(stream[candidate], step)
                if fits and stream[candidate][0] - start <= window:
                    chosen = candidate
            else:
                for i in range(bisect_left(times, previous), len(stream)):
                    if stream[i][0] - start > window:
                        break
                    if i not in used and _fills(stream[i], step):
                        chosen = i
                        break
            if chosen is None:
                break
            used.add(chosen)
            previous, position = stream[chosen][0], chosen
            reached.append(previous)
        attempts.append(reached)
    return attempts


def _max_matching(events: list[tuple], steps: list[tuple]) -> int:
    """Size of a maximum matching of events to steps each can fill (augmenting paths)."""
    owner: dict[int, int] = {}

    def augment(e: int, seen: set) -> bool:
        for s, step in enumerate(steps):
            if s in seen or not _fills(events[e], step):
                continue
            seen.add(s)
            if s not in owner or augment(owner[s], seen):
                owner[s] = e
                return True
        return False

    return sum(augment(e, set()) for e in range(len(events)))


def _unordered_attempts(stream: list[tuple], steps: list[tuple], window: timedelta) -> list[list]:
    """Every attempt of an unordered funnel (one per event of the stream): the k-th
    step is reached at the first time a matching of k distinct events (from the
    anchor's time on, within the window) to k distinct steps exists."""
    attempts = []
    for anchor in stream:
        start = anchor[0]
        inside = sorted(e for e in stream if start <= e[0] <= start + window)
        reached, size = [], 0
        for i in range(len(inside)):
            grown = _max_matching(inside[: i + 1], steps)
            if grown > size:
                reached.extend([inside[i][0]] * (grown - size))
                size = grown
        if reached:
            attempts.append(reached)
    return attempts


def funnel_progress(
    events: list[tuple],
    steps: list,
    window_seconds: float,
    order_type: str = "ordered",
    exclusions: tuple = (),
    with_reached: bool = False,
) -> tuple | None:
    """One account's counted attempt: (furthest step, first step at, converted at).

    `events`: (occurred_at, event_id, event_name[, properties dict]), any order,
    every event of the account (exclusion events among them). `steps`: event
    names, or (name or set of names, property key or None, property value). Every
    attempt is enumerated (no dominance argument); attempts disqualified by an
    exclusion (name or set of names, from step, to step: an event strictly after the
    from step and strictly before the to step or, when the to step was not reached,
    before the from step's time plus the window) are dropped; of the others the furthest counts,
    the latest-starting on a tie. `with_reached` adds the times it reached its steps.
    """
    steps = [(s, None, None) if isinstance(s, str) else tuple(s) for s in steps]
    window = timedelta(seconds=window_seconds)
    events = [e if len(e) > 3 else (*e, None) for e in events]

    def first_step(event: tuple) -> int:
        return min(i for i, step in enumerate(steps) if _fills(event, step))

    stream = [e for e in events if any(_fills(e, step) for step in steps)]
    if order_type == "strict":
        stream.sort(key=lambda e: (e[0], first_step(e), e[1]))
        attempts = _ordered_attempts(stream, steps, window, strict=True)
    elif order_type == "unordered":
        stream.sort(key=lambda e: (e[0], e[1]))
        attempts = _unordered_attempts(stream, steps, window)
    else:
        stream.sort(key=lambda e: (e[0], e[1], e[2]))
        attempts = _ordered_attempts(stream, steps, window, strict=False)

    def disqualified(reached: list) -> bool:
        for name, from_step, to_step in exclusions:
            if len(reached) < from_step:
                continue
            low = reached[from_step - 1]
            high = reached[to_step - 1] if len(reached) >= to_step else None
            names = {name} if isinstance(name, str) else name
            for e in events:
                inside = e[0] < high if high is not None else e[0] - low < window
                if e[2] in names and e[0] > low and inside:
                    return True
        return False

    best = None
    for reached in attempts:
        if disqualified(reached):
            continue
        if best is None or (len(reached), reached[0]) >= (best[0], best[1]):
            best = (len(reached), reached[0], reached[-1] if len(reached) == len(steps) else None)
            best_reached = reached
    if with_reached and best is not None:
        return (*best, best_reached)
    return best


def funnels_by_account(events_by_account: dict, with_reached: bool = False) -> dict:
    """(funnel, account) -> funnel_progress, for every configured funnel (its order
    type, step property filters and exclusions from the seeds; step and exclusion
    rules 'a|b' and 'category:<category>' resolved with the taxonomy seed)."""
    funnels = {row["funnel_name"]: row for row in read_seed("funnels")}
    taxonomy = read_seed("event_taxonomy")
    steps = defaultdict(list)
    for row in sorted(read_seed("funnel_steps"), key=lambda r: int(r["step_number"])):
        key = row.get("property_key") or None
        names = resolve_rule(row["event_name"], taxonomy)
        steps[row["funnel_name"]].append((names, key, row.get("property_value") if key else None))
    exclusions = defaultdict(list)
    for row in read_seed("funnel_exclusions"):
        names = resolve_rule(row["event_name"], taxonomy)
        exclusions[row["funnel_name"]].append((names, int(row["from_step"]), int(row["to_step"])))
    result = {}
    for funnel, definition in steps.items():
        config = funnels[funnel]
        for account, events in events_by_account.items():
            progress = funnel_progress(
                events,
                definition,
                float(config["conversion_window_seconds"]),
                config.get("funnel_order_type") or "ordered",
                tuple(exclusions[funnel]),
                with_reached,
            )
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


def _period_start(instant, period: str):
    day = instant.replace(hour=0, minute=0, second=0, microsecond=0)
    if period == "day":
        return day
    if period == "week":
        return day - timedelta(days=day.weekday())
    return day.replace(day=1)


def _add_periods(start, period: str, count: int):
    if period == "day":
        return start + timedelta(days=count)
    if period == "week":
        return start + timedelta(weeks=count)
    months = start.month - 1 + count
    return start.replace(year=start.year + months // 12, month=months % 12 + 1)


def retention_insights(events_by_account: dict, as_of, insights: list | None = None) -> dict:
    """(insight, cohort start, interval) -> (cohort size, retained accounts or None), for
    every insight of seeds/retention_insights.csv. `events_by_account`: account ->
    [(occurred_at, event_id, name, properties dict)] from sign-up on. A loop over each
    account's own cohorts and calendar periods (Python's calendar arithmetic), written
    from the semantics table of kpi_retention_insights.yml."""
    result: dict = {}
    for insight in insights or read_seed("retention_insights"):
        period, total = insight["period"], int(insight["total_intervals"])
        cumulative = insight["cumulative"].lower() == "true"
        step = (
            insight["target_event"],
            insight["target_property_key"] or None,
            insight["target_property_value"],
        )
        counts: dict = defaultdict(lambda: [0, 0, True])
        for events in events_by_account.values():
            targets = sorted(e for e in events if e[2] == insight["target_event"])
            matching = [e for e in targets if _fills(e, step)]
            kind = insight["retention_type"]
            if kind == "recurring":
                anchors = [e[0] for e in matching]
            elif kind == "first_time":
                anchors = [matching[0][0]] if matching else []
            else:
                anchors = [targets[0][0]] if targets and _fills(targets[0], step) else []
            returned = {_period_start(e[0], period) for e in events if e[2] == insight["returning_event"]}
            for cohort in sorted({_period_start(a, period) for a in anchors}):
                hits = [n == 0 or _add_periods(cohort, period, n) in returned for n in range(total)]
                complete = [
                    _add_periods(cohort, period, n + 1) - timedelta(milliseconds=1) <= as_of
                    for n in range(total)
                ]
                for n in range(total):
                    retained = any(hits[n:]) if cumulative else hits[n]
                    mature = all(complete[n:]) if cumulative else complete[n]
                    entry = counts[(insight["insight_name"], cohort, n)]
                    entry[0] += 1
                    entry[1] += retained
                    entry[2] = entry[2] and mature
        for key, (size, retained, mature) in counts.items():
            result[key] = (size, retained if mature else None)
    return result


def paths(events_by_account: dict, signups: dict, drop_offs: dict, insights: list | None = None) -> dict:
    """(path insight, level, path) -> accounts, for every insight of
    seeds/path_insights.csv, with the top_n paths per level and the rest as "other"
    (and "(ended)"). `events_by_account`: account -> [(occurred_at, event_id, name, ...)]
    from sign-up on; `signups`: account -> signed_up_at (every account); `drop_offs`:
    (funnel, account) -> the instant of the drop-off step of accounts that did not
    convert. Walks each account's event list (sorted, then deduplicated in a row)."""
    result: dict = {}
    for insight in insights or read_seed("path_insights"):
        depth, top_n = int(insight["path_steps"]), int(insight["top_n"])
        kind, direction = insight["start_type"], insight["direction"]
        starts = {}
        for account, signed_up in signups.items():
            events = sorted(events_by_account.get(account, []))
            if kind == "sign_up":
                starts[account] = [e for e in events if e[0] >= signed_up]
                continue
            if kind == "event":
                firsts = [e[0] for e in events if e[2] == insight["start_event"]]
                if not firsts:
                    continue
                start = firsts[0]
            else:
                if (insight["start_event"], account) not in drop_offs:
                    continue
                start = drop_offs[(insight["start_event"], account)]
            if direction == "after":
                starts[account] = [e for e in events if e[0] > start]
            else:
                starts[account] = list(reversed([e for e in events if e[0] < start]))
        counts: dict = defaultdict(int)
        for events in starts.values():
            names: list = []
            for event in events:
                if not names or names[-1] != event[2]:
                    names.append(event[2])
            for level in range(1, depth + 1):
                path = " > ".join(names[:level]) if len(names) >= level else "(ended)"
                counts[(level, path)] += 1
        for level in range(1, depth + 1):
            ranked = sorted(
                (
                    (accounts, path)
                    for (lv, path), accounts in counts.items()
                    if lv == level and path != "(ended)"
                ),
                key=lambda item: (-item[0], item[1]),
            )
            for rank, (accounts, path) in enumerate(ranked, start=1):
                bucket = path if rank <= top_n else "other"
                key = (insight["path_name"], level, bucket)
                result[key] = result.get(key, 0) + accounts
            if counts.get((level, "(ended)")):
                result[(insight["path_name"], level, "(ended)")] = counts[(level, "(ended)")]
    return result


def lifecycle_states(
    events_by_account: dict, accounts: dict, as_of, max_weeks: int = 26, settings: dict | None = None
) -> dict:
    """(account, week since sign-up) -> lifecycle state, for every complete week, from
    the rules of kpi_lifecycle_states.yml read as a week-by-week state machine.
    `events_by_account`: account -> [(occurred_at, event_id, name, category, ...)] from
    sign-up on; `accounts`: account -> (signed_up_at, onboarding_period_days, activated_at)."""
    settings = settings or {row["setting"]: int(row["value"]) for row in read_seed("lifecycle_settings")}
    engaged, dormant, churned = (
        settings["engaged_min_active_days"],
        settings["dormant_after_inactive_weeks"],
        settings["churned_after_inactive_weeks"],
    )
    week = timedelta(days=7)
    result = {}
    for account, (signed_up, period_days, activated_at) in accounts.items():
        days_by_week = defaultdict(set)
        for event in events_by_account.get(account, []):
            if event[3] != "outreach":
                day = (event[0] - signed_up) // timedelta(days=1)
                days_by_week[day // 7].add(day)
        inactive_run = 0
        number = 0
        while number < max_weeks and signed_up + (number + 1) * week - timedelta(milliseconds=1) <= as_of:
            start, end = signed_up + number * week, signed_up + (number + 1) * week
            active_days = len(days_by_week[number])
            activated = activated_at is not None and activated_at < end
            if number == 0:
                state = "new"
            elif not active_days and inactive_run + 1 >= churned:
                state = "churned"
            elif not active_days and inactive_run + 1 >= dormant:
                state = "dormant"
            elif active_days and inactive_run >= dormant:
                state = "resurrected"
            elif not activated and start < signed_up + timedelta(days=period_days):
                state = "onboarding"
            elif active_days >= engaged:
                state = "engaged"
            elif active_days and activated:
                state = "activated"
            else:
                state = "at_risk"
            result[(account, number)] = state
            inactive_run = 0 if (active_days or number == 0) else inactive_run + 1
            number += 1
    return result
