"""The planted ground truth, written beside the landing data for tests."""

import json
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from onboarding_sample import config as cfg
from onboarding_sample.journeys import NEVER, OUTCOME_NAMES
from onboarding_sample.outreach import BUCKETS, NO_OUTREACH, RESCUE_PROBABILITY
from onboarding_sample.world import World


def _timestamps(ms: np.ndarray) -> pa.Array:
    return pa.array(np.asarray(ms, dtype=np.int64), pa.timestamp("ms"), mask=ms == NEVER)


RETENTION_DAYS = (30, 60, 90, 180)


def subscribed_on_day(world: World, day: int) -> np.ndarray:
    """Per account: a subscription period covered part of day `day` since sign-up."""
    subs, signup = world.subscriptions, world.accounts.signup_ms
    day_start = signup[subs.account] + day * cfg.DAY_MS
    covers = (subs.period_start < day_start + cfg.DAY_MS) & (
        (subs.period_end == NEVER) | (subs.period_end > day_start)
    )
    subscribed = np.zeros(len(signup), dtype=bool)
    subscribed[subs.account[covers]] = True
    return subscribed


def account_truth(world: World, as_of_ms: int, has_events: np.ndarray) -> pa.Table:
    acc = world.accounts
    window = np.array([world.configs[c].activation_window_days for c in acc.config])
    window_end = acc.signup_ms + window * cfg.DAY_MS
    activation = world.activation_ms
    return pa.table(
        {
            "account_id": pa.array(acc.ids, pa.string()),
            "segment": pa.array(acc.segment, pa.string()),
            "config_segment": pa.array(acc.config, pa.string()),
            "signed_up_at": _timestamps(acc.signup_ms),
            "onboarding_variant": pa.array(acc.variant, pa.string()),
            "activation_window_days": pa.array(window, pa.int32()),
            "activation_milestone": [
                world.configs[c].milestones[world.configs[c].activation_index].name for c in acc.config
            ],
            "activated_at": _timestamps(activation),
            "first_value_milestone": [
                world.configs[c].milestones[world.configs[c].first_value_index].name for c in acc.config
            ],
            "first_value_at": _timestamps(world.first_value_ms),
            "is_activated_in_window": activation <= window_end,
            "is_activation_window_mature": window_end <= as_of_ms,
            "planned_in_window_probability": world.journeys.p_in_window,
            "outcome": pa.array(np.asarray(OUTCOME_NAMES, dtype=object)[world.journeys.outcome], pa.string()),
            "churned_at": _timestamps(world.subscriptions.churned_at_end()),
            "has_events": has_events,
            **{f"is_subscribed_day_{day}": subscribed_on_day(world, day) for day in RETENTION_DAYS},
        }
    )


def milestone_truth(world: World) -> pa.Table:
    parts = []
    for name, rows in world.journeys.rows.items():
        milestones = world.configs[name].milestones
        times = world.journeys.reach_ms[name]
        for index, milestone in enumerate(milestones):
            parts.append(
                pa.table(
                    {
                        "account_id": pa.array(world.accounts.ids[rows], pa.string()),
                        "milestone_name": pa.array([milestone.name] * len(rows), pa.string()),
                        "step_number": pa.array([milestone.step] * len(rows), pa.int32()),
                        "reached_at": _timestamps(times[:, index]),
                    }
                )
            )
    return pa.concat_tables(parts).sort_by([("account_id", "ascending"), ("step_number", "ascending")])


def planted_summary(world: World) -> dict:
    """The planted experiment effect and activation definitions."""
    acc, p = world.accounts, world.journeys.p_in_window
    arms = {
        arm: float(p[acc.variant == arm].mean())
        for arm in ("control", "guided_setup")
        if (acc.variant == arm).any()
    }
    return {
        "outreach_rescue_probability_by_delay": dict(zip(BUCKETS, RESCUE_PROBABILITY, strict=True)),
        "activation_in_window_probability_by_variant": arms,
        "guided_setup_lift": world.params.journey.guided_setup_lift
        * (1 - world.params.journey.abandon_share),
        "activation_milestone_by_segment": {
            name: {
                "milestone": c.milestones[c.activation_index].name,
                "event_name": c.milestones[c.activation_index].event_name,
                "min_count": c.milestones[c.activation_index].min_count,
            }
            for name, c in world.configs.items()
        },
    }


def risk_truth(world: World) -> pa.Table:
    """The planted at-risk patterns: the rule must fire for the account on that day."""
    risks = world.risks
    return pa.table(
        {
            "account_id": pa.array(world.accounts.ids[risks.account], pa.string()),
            "rule_name": pa.array(risks.rule.tolist(), pa.string()),
            "day_number": pa.array(risks.day, pa.int32()),
            "rule_subject": pa.array(risks.subject.tolist(), pa.string()),
        }
    )


def outreach_truth(world: World) -> pa.Table:
    """The planted outreach after each account's first milestone_overdue alert
    (onboarding_sample/outreach.py): its delay bucket, and whether the account
    activated after it (rescued, and not stopped by churn before the rescue)."""
    o = world.outreach
    reached = o.bucket != NO_OUTREACH
    activated = world.activation_ms[o.account]
    return pa.table(
        {
            "account_id": pa.array(world.accounts.ids[o.account], pa.string()),
            "alert_day_number": pa.array(o.alert_day, pa.int32()),
            "alerted_at": _timestamps(o.alert_ms),
            "delay_bucket": pa.array(
                [BUCKETS[b] if b != NO_OUTREACH else "activated_before_outreach" for b in o.bucket],
                pa.string(),
            ),
            "outreach_at": _timestamps(o.outreach_ms),
            "rescue_probability": pa.array(
                np.where(reached, np.array(RESCUE_PROBABILITY)[np.maximum(o.bucket, 0)], np.nan),
                pa.float64(),
                mask=~reached,
            ),
            "is_rescued": o.rescued & (activated != NEVER),
            "activated_at": _timestamps(activated),
        }
    )


def write_truth(out: Path, world: World, as_of_ms: int, has_events: np.ndarray, summary: dict) -> None:
    folder = out / "_truth"
    folder.mkdir(parents=True, exist_ok=True)
    pq.write_table(account_truth(world, as_of_ms, has_events), folder / "accounts.parquet")
    pq.write_table(milestone_truth(world), folder / "account_milestones.parquet")
    pq.write_table(risk_truth(world), folder / "risk_patterns.parquet")
    pq.write_table(outreach_truth(world), folder / "outreach.parquet")
    (folder / "summary.json").write_text(json.dumps(summary, indent=2, sort_keys=True) + "\n")
