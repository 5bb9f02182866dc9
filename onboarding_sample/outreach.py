"""CSM outreach after a milestone_overdue alert, with a planted effect of its delay.

For every engaged account (not abandoned) the generator knows the first day the
`milestone_overdue` rule of the at-risk models fires: the first day N, inside the
onboarding period, with a milestone expected by day N - threshold not reached before
the end of day N, the account not activated by then (the rule's definition, in
models/intermediate/int_account_risk_signals.yml). A customer-success manager
reaches out after that alert with a delay drawn at random, one of three buckets
with equal chances:

    within_24h   1 to 23 hours after the alert (the end of day N)
    1_to_3_days  25 to 71 hours
    later        73 to 168 hours

An account that has activated by then gets no outreach. One that has not is
rescued (it reaches its remaining milestones up to activation within 0.5 to 3
days after the outreach) with the planted probability of its bucket,
RESCUE_PROBABILITY, whatever its planned journey; otherwise it stalls at the
first milestone it had not reached at the outreach. The delay is random, so the
difference between the buckets' rescue rates is the causal effect of reaching
out early: 0.50 within 24 hours against 0.25 later, "early intervention doubles
the rescue rate". Only alerts whose measurement window (MEASUREMENT_DAYS, the
playbook's) ends before the data does are planted, so every planted outcome is
observed. The background outreach of activity.py leaves these accounts alone
from the alert on: the first outreach after the alert is the planted one.

The truth (`_truth/outreach.parquet`) has one row per planted alert.
"""

from dataclasses import dataclass

import numpy as np

from onboarding_sample import config as cfg
from onboarding_sample.accounts import Accounts
from onboarding_sample.journeys import ABANDONED, IN_WINDOW, LATE, MIN_GAP_MS, NEVER, STALLED, Journeys
from onboarding_sample.seeds import SegmentConfig

BUCKETS = ("within_24h", "1_to_3_days", "later")
DELAY_HOURS = ((1.0, 23.0), (25.0, 71.0), (73.0, 168.0))
RESCUE_PROBABILITY = (0.50, 0.30, 0.25)
RESCUE_DAYS = (0.5, 3.0)
MEASUREMENT_DAYS = 14  # seeds/playbooks.csv: measurement_window_days of milestone_overdue
NO_OUTREACH = -1


@dataclass
class Outreach:
    account: np.ndarray  # planted alerts: account index
    alert_day: np.ndarray  # day of the onboarding period milestone_overdue first fires
    alert_ms: np.ndarray  # end of that day
    bucket: np.ndarray  # index into BUCKETS, NO_OUTREACH when the account had activated
    outreach_ms: np.ndarray  # NEVER when no outreach
    rescued: np.ndarray  # bool: rescued by the outreach (False without one)
    quiet_from_ms: np.ndarray  # per account: no background outreach from then on

    def events(self, vocab, rng) -> list[tuple[np.ndarray, int, np.ndarray, np.ndarray]]:
        reached = self.bucket != NO_OUTREACH
        account, when = self.account[reached], self.outreach_ms[reached]
        return [(account, vocab.event_code["csm_outreach"], when, vocab.pick(rng, "csm_outreach", len(when)))]


def first_overdue_day(
    config: SegmentConfig, signup: np.ndarray, times: np.ndarray, threshold: int
) -> np.ndarray:
    """Per account of one config segment: the first day milestone_overdue fires, or -1."""
    period = config.onboarding_period_days
    activation = times[:, config.activation_index]
    first = np.full(len(signup), -1, dtype=np.int64)
    for index, milestone in enumerate(config.milestones):
        day = milestone.expected_by_day + threshold
        if day >= period:
            continue
        day_end = signup + (day + 1) * cfg.DAY_MS
        fires = (times[:, index] >= day_end) & (activation >= day_end)
        first = np.where(fires & ((first < 0) | (day < first)), day, first)
    return first


def plan_outreach(
    seed: int,
    accounts: Accounts,
    journeys: Journeys,
    configs: dict[str, SegmentConfig],
    threshold: int,
    end_ms: int,
) -> Outreach:
    """Decide the outreach and its effect; rewrites the journeys of the accounts it rescues
    or lets stall (journeys.reach_ms, outcome, stall_event)."""
    rng = np.random.default_rng(np.random.SeedSequence([seed, 4]))
    n = len(accounts)
    parts = []
    quiet_from = np.full(n, NEVER, dtype=np.int64)
    for name, rows in journeys.rows.items():
        config, times = configs[name], journeys.reach_ms[name]
        signup = accounts.signup_ms[rows]
        day = first_overdue_day(config, signup, times, threshold)
        alert_ms = signup + (day + 1) * cfg.DAY_MS
        chosen = np.flatnonzero(
            (day >= 0)
            & (journeys.outcome[rows] != ABANDONED)
            & (alert_ms + (MEASUREMENT_DAYS + 1) * cfg.DAY_MS <= end_ms)
        )
        if len(chosen) == 0:
            continue
        bucket = rng.integers(0, len(BUCKETS), len(chosen))
        low, high = np.array(DELAY_HOURS).T
        delay = (rng.uniform(low[bucket], high[bucket]) * cfg.HOUR_MS).astype(np.int64)
        outreach = alert_ms[chosen] + delay
        u_rescue = rng.random(len(chosen))
        u_days = rng.uniform(*RESCUE_DAYS, len(chosen))
        a = config.activation_index
        activated_before = times[chosen, a] < outreach
        bucket = np.where(activated_before, NO_OUTREACH, bucket)
        outreach = np.where(activated_before, NEVER, outreach)
        rescued = ~activated_before & (u_rescue < np.array(RESCUE_PROBABILITY)[np.maximum(bucket, 0)])
        for i in np.flatnonzero(~activated_before):
            row = chosen[i]
            missing = times[row] >= outreach[i]
            if rescued[i]:
                # The milestones not reached yet, up to activation, one after another
                # between the outreach and the rescue; later ones are left to chance.
                done_at = outreach[i] + int(u_days[i] * cfg.DAY_MS)
                steps = np.flatnonzero(missing[: a + 1])
                spread = np.linspace(outreach[i] + MIN_GAP_MS, done_at, len(steps)).astype(np.int64)
                times[row, steps] = spread
                times[row, a + 1 :] = np.where(
                    times[row, a + 1 :] == NEVER, NEVER, np.maximum(times[row, a + 1 :], done_at + MIN_GAP_MS)
                )
                window_end = signup[row] + config.activation_window_days * cfg.DAY_MS
                journeys.outcome[rows[row]] = IN_WINDOW if done_at <= window_end else LATE
                journeys.stall_event[rows[row]] = None
            else:
                times[row, missing] = NEVER
                journeys.outcome[rows[row]] = STALLED
                first_missing = int(np.argmax(missing))
                journeys.stall_event[rows[row]] = config.milestones[first_missing].event_name
        quiet_from[rows[chosen]] = alert_ms[chosen]
        parts.append((rows[chosen], day[chosen], alert_ms[chosen], bucket, outreach, rescued))
    if parts:
        account, day, alert, bucket, outreach, rescued = (np.concatenate(p) for p in zip(*parts, strict=True))
    else:
        account = day = alert = outreach = np.array([], dtype=np.int64)
        bucket, rescued = np.array([], dtype=np.int64), np.array([], dtype=bool)
    order = np.argsort(account, kind="stable")
    return Outreach(
        account[order], day[order], alert[order], bucket[order], outreach[order], rescued[order], quiet_from
    )


def expected_rescue_rates() -> dict[str, float]:
    return dict(zip(BUCKETS, RESCUE_PROBABILITY, strict=True))
