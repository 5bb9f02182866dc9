"""The events that make each planned milestone happen at its planned time, and
when each account may use a milestone's action freely in the background."""

from dataclasses import dataclass

import numpy as np

from onboarding_sample import config as cfg
from onboarding_sample.accounts import Accounts
from onboarding_sample.journeys import ABANDONED, NEVER, Journeys
from onboarding_sample.seeds import SegmentConfig
from onboarding_sample.vocab import Vocabulary

ADMIN_EVENTS = ("workspace_created", "sso_configured")
PARTIAL_SPAN_MS = 20 * cfg.DAY_MS


@dataclass
class Planted:
    """Planted events sorted by time; `before_signup` ones are noise that must not count."""

    account: np.ndarray
    event: np.ndarray
    time: np.ndarray
    prop: np.ndarray
    before_signup: np.ndarray
    open_at: dict[int, np.ndarray]  # event code -> per account, when background use may qualify

    def between(self, start_ms: int, end_ms: int) -> slice:
        return slice(*np.searchsorted(self.time, [start_ms, end_ms]))


class _Collector:
    def __init__(self):
        self.parts: list[tuple[np.ndarray, ...]] = []

    def add(self, account, event, time, prop, before=False):
        self.parts.append(
            (account, np.full(len(account), event, dtype=np.int32), time, prop, np.full(len(account), before))
        )

    def build(self, open_at) -> Planted:
        if not self.parts:
            empty = np.array([], dtype=np.int64)
            return Planted(
                empty, empty.astype(np.int32), empty, empty.astype(np.int32), empty.astype(bool), open_at
            )
        account, event, time, prop, before = (np.concatenate(p) for p in zip(*self.parts, strict=True))
        order = np.lexsort((event, account, time))
        return Planted(account[order], event[order], time[order], prop[order], before[order], open_at)


def _family_events(
    rng,
    out: _Collector,
    vocab: Vocabulary,
    config: SegmentConfig,
    members: list[int],
    rows: np.ndarray,
    times: np.ndarray,
    signup: np.ndarray,
    stop_ms: np.ndarray,
    progressing: np.ndarray,
) -> None:
    """Events of one family: the min_count-th qualifying event at each reach time, and
    partial progress (fewer than needed) towards the first milestone not reached."""
    first = config.milestones[members[0]]
    code = vocab.event_code[first.event_name]
    group = vocab.milestone_group(first.event_name, first.property_key, first.property_value, True)
    previous, counted = signup.copy(), 0
    for index in members:
        reach = times[:, index]
        need = config.milestones[index].min_count - counted
        reached = progressing & (reach != NEVER)
        count = np.where(reached, need, 0)
        stalled_here = progressing & ~reached
        count[stalled_here] = rng.integers(0, need, stalled_here.sum())
        span_end = np.where(reached, reach, np.minimum(previous + PARTIAL_SPAN_MS, stop_ms))
        idx = np.repeat(np.arange(len(rows)), count)
        spread = rng.uniform(0.001, 0.999, len(idx)) * np.maximum(span_end - previous, 0)[idx]
        when = previous[idx] + spread.astype(np.int64)
        # The last event of a reached milestone falls exactly at its reach time.
        when[(np.cumsum(count) - 1)[reached]] = reach[reached]
        keep = when < stop_ms[idx]
        out.add(rows[idx][keep], code, when[keep], vocab.pick(rng, group, keep.sum()))
        previous = np.where(reached, reach, previous)
        progressing = reached
        counted = config.milestones[index].min_count


def plan_planted(
    rng,
    accounts: Accounts,
    journeys: Journeys,
    configs: dict[str, SegmentConfig],
    vocab: Vocabulary,
    stop_ms: np.ndarray,
    before_signup_share: float,
    start_ms: int,
    extra: list[tuple[np.ndarray, int, np.ndarray, np.ndarray]] = (),
) -> Planted:
    """`extra`: more events to plant, as (accounts, event code, times, property codes)."""
    out = _Collector()
    for account, event, time, prop in extra:
        out.add(account, event, time, prop)
    n = len(accounts)
    open_at: dict[int, np.ndarray] = {}
    for name, rows in journeys.rows.items():
        config, times = configs[name], journeys.reach_ms[name]
        done: set[int] = set()
        for index in range(len(config.milestones)):
            members = config.family_members(index)
            if members[0] in done:
                continue
            done.update(members)
            _family_events(
                rng,
                out,
                vocab,
                config,
                members,
                rows,
                times,
                accounts.signup_ms[rows],
                stop_ms[rows],
                journeys.outcome[rows] != ABANDONED,
            )
            code = vocab.event_code[config.milestones[index].event_name]
            open_at.setdefault(code, np.zeros(n, dtype=np.int64))[rows] = times[:, members[-1]]
    _before_signup(rng, out, accounts, journeys, configs, vocab, before_signup_share, start_ms)
    return out.build(open_at)


def _before_signup(
    rng,
    out: _Collector,
    accounts: Accounts,
    journeys: Journeys,
    configs: dict[str, SegmentConfig],
    vocab: Vocabulary,
    share: float,
    start_ms: int,
) -> None:
    """A few accounts have activity before their sign-up (trial, clock skew): qualifying
    milestone events among them, which must never count."""
    chosen = np.flatnonzero((rng.random(len(accounts)) < share) & (journeys.outcome != ABANDONED))
    for account in chosen:
        config = configs[accounts.config[account]]
        for _ in range(rng.integers(1, 5)):
            m = config.milestones[rng.integers(0, len(config.milestones))]
            when = accounts.signup_ms[account] - int(rng.uniform(1, 10) * cfg.DAY_MS)
            if when < start_ms:
                continue
            group = vocab.milestone_group(m.event_name, m.property_key, m.property_value, True)
            out.add(
                np.array([account]),
                vocab.event_code[m.event_name],
                np.array([when]),
                vocab.pick(rng, group, 1),
                before=True,
            )
