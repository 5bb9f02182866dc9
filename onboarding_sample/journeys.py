"""Onboarding journeys, decided top-down: first each account's outcome, then the
time it reaches each milestone of its segment (the planted truth)."""

from dataclasses import dataclass

import numpy as np

from onboarding_sample import config as cfg
from onboarding_sample.accounts import Accounts
from onboarding_sample.seeds import SegmentConfig

NEVER = np.iinfo(np.int64).max
ABANDONED, IN_WINDOW, LATE, STALLED = 0, 1, 2, 3
OUTCOME_NAMES = ("abandoned", "in_window", "late", "stalled")
MIN_GAP_MS = 60_000


@dataclass
class Journeys:
    outcome: np.ndarray  # int8 per account
    p_in_window: np.ndarray  # planned probability of activating within the window
    rows: dict[str, np.ndarray]  # per config segment: the accounts using it
    reach_ms: dict[str, np.ndarray]  # per config segment: (accounts, milestones), NEVER = not reached
    stall_event: np.ndarray  # object: event of the first missing milestone of a stalled account

    def milestone_time(self, configs: dict[str, SegmentConfig], which: str, n: int) -> np.ndarray:
        """Per account, the reach time of its activation or first-value milestone."""
        out = np.full(n, NEVER, dtype=np.int64)
        for name, rows in self.rows.items():
            index = getattr(configs[name], f"{which}_index")
            out[rows] = self.reach_ms[name][:, index]
        return out

    def cut(self, end_ms: np.ndarray) -> None:
        """Milestones planned at or after `end_ms` (per account) are not reached."""
        for name, rows in self.rows.items():
            times = self.reach_ms[name]
            times[times >= end_ms[rows, None]] = NEVER


def _outcomes(rng, accounts: Accounts, params: cfg.JourneyParams) -> tuple[np.ndarray, np.ndarray]:
    n = len(accounts)
    base = np.array([params.in_window.get(c, params.in_window["default"]) for c in accounts.config])
    lift = np.where(accounts.variant == "guided_setup", params.guided_setup_lift, 0.0)
    p_in = np.clip(base + lift + params.engagement_effect * accounts.engagement, 0.02, 0.95)
    u_abandon, u = rng.random(n), rng.random(n)
    outcome = np.where(u < p_in, IN_WINDOW, np.where(u < p_in + params.late_share, LATE, STALLED))
    outcome = np.where(u_abandon < params.abandon_share, ABANDONED, outcome).astype(np.int8)
    return outcome, p_in * (1 - params.abandon_share)


def _plan_segment(
    rng, config: SegmentConfig, signup: np.ndarray, outcome: np.ndarray, params: cfg.JourneyParams
) -> np.ndarray:
    n, k, a = len(signup), len(config.milestones), config.activation_index
    window = config.activation_window_days * cfg.DAY_MS
    expected = np.array([m.expected_by_day for m in config.milestones], dtype=float)

    # Offset of the activation milestone from sign-up, by outcome.
    offset_a = np.select(
        [outcome == IN_WINDOW, outcome == LATE],
        [window * rng.uniform(0.15, 0.98, n), window * rng.uniform(1.05, 2.5, n)],
        window * rng.uniform(0.3, 2.0, n),
    )
    boundary = (outcome == IN_WINDOW) & (rng.random(n) < params.boundary_share)
    offset_a = np.where(boundary, window, offset_a).astype(np.int64)

    # Steps up to activation share its offset in proportion to random gaps that
    # follow the expected days, each at least a minute after the previous one.
    gaps = np.maximum(np.diff(np.concatenate([[0.0], expected[: a + 1]])), 0.5)
    weights = gaps * rng.exponential(1.0, (n, a + 1))
    shares = np.cumsum(weights, axis=1) / weights.sum(axis=1, keepdims=True)
    offsets = np.zeros((n, k), dtype=np.int64)
    offsets[:, : a + 1] = (shares * offset_a[:, None]).astype(np.int64)
    offsets[:, a] = offset_a
    for step in range(a - 1, -1, -1):
        offsets[:, step] = np.minimum(offsets[:, step], offsets[:, step + 1] - MIN_GAP_MS)
    offsets[:, : a + 1] = np.maximum(offsets[:, : a + 1], MIN_GAP_MS * (np.arange(a + 1) + 1))

    reached = np.ones((n, k), dtype=bool)
    # Stalled accounts stop before some step up to activation; the rest never come.
    stall = rng.integers(0, a + 1, n)
    reached &= ~((outcome == STALLED)[:, None] & (np.arange(k)[None, :] >= stall[:, None]))
    # Steps after activation: each reached with some probability, in order.
    going_on = outcome != STALLED
    for step in range(a + 1, k):
        days = max(expected[step] - expected[step - 1], 1.0)
        offsets[:, step] = (
            offsets[:, step - 1]
            + (days * rng.uniform(0.3, 1.5, n) * cfg.DAY_MS).astype(np.int64)
            + MIN_GAP_MS
        )
        going_on &= rng.random(n) < params.post_activation_reach
        reached[:, step] = going_on
    _out_of_order(rng, config, offsets, reached, params.out_of_order_share)
    reached &= (outcome != ABANDONED)[:, None]
    times = signup[:, None] + offsets
    times[~reached] = NEVER
    return times


def _out_of_order(rng, config: SegmentConfig, offsets, reached, share: float) -> None:
    """Some accounts do a later, independent step between their first two steps."""
    a = config.activation_index
    for step in range(a + 1, len(config.milestones)):
        if len(config.family_members(step)) != 1 or a < 1:
            continue
        early = reached[:, step] & (rng.random(len(offsets)) < share)
        between = offsets[:, 0] + ((offsets[:, 1] - offsets[:, 0]) * rng.uniform(0.2, 0.8, len(offsets)))
        offsets[early, step] = between[early].astype(np.int64)
        return


def plan_journeys(
    rng, accounts: Accounts, configs: dict[str, SegmentConfig], params: cfg.JourneyParams, end_ms: int
) -> Journeys:
    outcome, p_in = _outcomes(rng, accounts, params)
    rows, reach = {}, {}
    stall_event = np.full(len(accounts), None, dtype=object)
    for name, config in configs.items():
        members = np.flatnonzero(accounts.config == name)
        if len(members) == 0:
            continue
        times = _plan_segment(rng, config, accounts.signup_ms[members], outcome[members], params)
        rows[name], reach[name] = members, times
        first_missing = np.argmax(times == NEVER, axis=1)
        stalled = outcome[members] == STALLED
        events = np.array([m.event_name for m in config.milestones], dtype=object)
        stall_event[members[stalled]] = events[first_missing[stalled]]
    journeys = Journeys(outcome, p_in, rows, reach, stall_event)
    # What would happen after the data ends is not observed (a minute of margin
    # keeps every planted event's arrival inside the period).
    journeys.cut(np.full(len(accounts), end_ms - MIN_GAP_MS, dtype=np.int64))
    return journeys
