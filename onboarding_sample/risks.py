"""At-risk patterns planted on known accounts, for the at-risk marts to find.

A few stalled accounts (they never activate, so every onboarding day of theirs
is evaluated) each get one pattern on a known day of their onboarding period:

- repeated_help_topic: views of the help topic of the step they are stuck at,
  on a day after their last milestone (so the views are "without progress");
- repeated_failures: failures of the product action of that step;
- no_login: no product use at all for SILENT_DAYS days from the planted day
  (the background sessions, which start with a login, are left out), so the
  no_login rule fires on the planted day + 3 (the 4th day without a login). A
  login is planted the day before the silence: the rule expects activity only
  from accounts that have logged in at least once.

Planted events are never made imperfect. The truth is written to
`_truth/risk_patterns.parquet`.
"""

from dataclasses import dataclass

import numpy as np

from onboarding_sample import config as cfg
from onboarding_sample.accounts import Accounts
from onboarding_sample.journeys import NEVER, STALLED, Journeys
from onboarding_sample.seeds import SegmentConfig
from onboarding_sample.vocab import Vocabulary

RULES = ("repeated_help_topic", "repeated_failures", "no_login")
NO_PROPERTIES = -1
REPEATS = 5  # planted views or failures on the day (the rule's default threshold is 3)
SILENT_DAYS = 5
NO_LOGIN_FIRES_AFTER = 3  # days after the first silent day (4 days without a login)
ACCOUNTS_PER_RULE_SHARE = 1 / 60
MIN_ACCOUNTS_PER_RULE = 2


@dataclass
class RiskPatterns:
    account: np.ndarray  # account index
    rule: np.ndarray  # object: rule name
    day: np.ndarray  # day of the onboarding period the rule must fire on
    subject: np.ndarray  # object: help topic, failing action, or None
    silent_from_ms: np.ndarray  # per account: no background events in [from, to)
    silent_to_ms: np.ndarray

    def is_silent(self, account: np.ndarray, time: np.ndarray) -> np.ndarray:
        return (time >= self.silent_from_ms[account]) & (time < self.silent_to_ms[account])


def _last_reached_ms(journeys: Journeys, n: int) -> np.ndarray:
    last = np.full(n, -1, dtype=np.int64)
    for rows, times in ((journeys.rows[k], journeys.reach_ms[k]) for k in journeys.rows):
        reached = np.where(times == NEVER, -1, times)
        last[rows] = reached.max(axis=1)
    return last


def plan_risks(
    seed: int,
    accounts: Accounts,
    journeys: Journeys,
    configs: dict[str, SegmentConfig],
    vocab: Vocabulary,
    stop_ms: np.ndarray,
    end_ms: int,
) -> tuple[RiskPatterns, list[tuple[np.ndarray, int, np.ndarray, np.ndarray]]]:
    """The patterns, and their events as (accounts, event code, times, property codes)."""
    rng = np.random.default_rng(np.random.SeedSequence([seed, 3]))
    n = len(accounts)
    signup = accounts.signup_ms
    period = np.array([configs[c].onboarding_period_days for c in accounts.config])
    last = _last_reached_ms(journeys, n)
    # First possible day: after the last milestone reached (for the help rule) and day 1.
    first_day = np.maximum(np.where(last < 0, 1, (last - signup) // cfg.DAY_MS + 1), 1)
    # Last possible day: the silence (or the planted day) and the day the rule fires must
    # be inside the onboarding period, before churn and complete before the data ends.
    limit = np.minimum(np.minimum(stop_ms, end_ms - cfg.DAY_MS), signup + period * cfg.DAY_MS)
    last_day = (limit - signup) // cfg.DAY_MS - SILENT_DAYS
    eligible = np.flatnonzero(
        (journeys.outcome == STALLED) & (journeys.stall_event != None) & (first_day <= last_day)  # noqa: E711
    )
    per_rule = max(MIN_ACCOUNTS_PER_RULE, round(n * ACCOUNTS_PER_RULE_SHARE))
    chosen = rng.permutation(eligible)[: per_rule * len(RULES)]
    rules = np.array([RULES[i % len(RULES)] for i in range(len(chosen))], dtype=object)
    days = rng.integers(first_day[chosen], last_day[chosen] + 1)

    silent_from = np.full(n, NEVER, dtype=np.int64)
    silent_to = np.full(n, NEVER, dtype=np.int64)
    subjects = np.full(len(chosen), None, dtype=object)
    fire_days = days.copy()
    events = []
    for i, (account, rule, day) in enumerate(zip(chosen, rules, days, strict=True)):
        day_start = signup[account] + day * cfg.DAY_MS
        if rule == "no_login":
            silent_from[account] = day_start
            silent_to[account] = day_start + SILENT_DAYS * cfg.DAY_MS
            fire_days[i] = day + NO_LOGIN_FIRES_AFTER
            login = day_start - int(rng.uniform(0.1, 0.5) * cfg.DAY_MS)
            events.append((np.array([account]), vocab.event_code[cfg.SESSION_START], np.array([login]),
                           np.array([NO_PROPERTIES], dtype=np.int32)))  # fmt: skip
            continue
        topic, action = cfg.STALL_TOPIC[journeys.stall_event[account]]
        subjects[i] = topic if rule == "repeated_help_topic" else action
        name, group = (
            ("help_article_viewed", f"help:{topic}")
            if rule == "repeated_help_topic"
            else ("action_failed", f"failed:{action}")
        )
        times = np.sort(day_start + (rng.uniform(0.2, 0.9, REPEATS) * cfg.DAY_MS).astype(np.int64))
        events.append(
            (np.full(REPEATS, account), vocab.event_code[name], times, vocab.pick(rng, group, REPEATS))
        )
    patterns = RiskPatterns(chosen, rules, fire_days, subjects, silent_from, silent_to)
    return patterns, events
