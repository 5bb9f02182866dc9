"""Accounts: who signs up, when, and with what attributes."""

from dataclasses import dataclass

import numpy as np

from onboarding_sample import config as cfg


@dataclass
class Accounts:
    """One entry per account, sorted by sign-up time. Times are epoch milliseconds (UTC)."""

    ids: np.ndarray  # object: acc_000001 ...
    names: np.ndarray
    signup_ms: np.ndarray
    segment: np.ndarray  # object, None when empty
    config: np.ndarray  # object: name of the segments-seed row that applies
    plan: np.ndarray
    industry: np.ndarray
    company_size: np.ndarray
    channel: np.ndarray
    variant: np.ndarray  # object, None before the experiment
    users: np.ndarray  # users per account
    user_offset: np.ndarray  # global index of the account's first user
    engagement: np.ndarray  # latent, standard normal

    def __len__(self) -> int:
        return len(self.ids)


def _signup_times(rng, n: int, start_ms: int, days: int) -> np.ndarray:
    weekday = (np.arange(days) + _weekday(start_ms)) % 7
    weights = np.where(weekday >= 5, 0.35, 1.0)
    day = rng.choice(days, size=n, p=weights / weights.sum())
    hour = np.clip(rng.normal(15.0, 3.0, n), 0.0, 23.99)
    return np.sort(start_ms + day * cfg.DAY_MS + (hour * cfg.HOUR_MS).astype(np.int64))


def _weekday(epoch_ms: int) -> int:
    """Monday = 0. 1970-01-01 was a Thursday."""
    return int((epoch_ms // cfg.DAY_MS + 3) % 7)


def _by_segment(rng, segment_base: np.ndarray, table: dict, shares: dict | None = None) -> np.ndarray:
    out = np.empty(len(segment_base), dtype=object)
    for segment, values in table.items():
        rows = np.flatnonzero(segment_base == segment)
        p = shares[segment] if shares else None
        out[rows] = np.asarray(values, dtype=object)[rng.choice(len(values), len(rows), p=p)]
    return out


def plan_accounts(
    rng: np.random.Generator, n: int, start_ms: int, days: int, configured: set[str]
) -> Accounts:
    signup_ms = _signup_times(rng, n, start_ms, days)
    base = np.asarray(cfg.SEGMENTS, dtype=object)[rng.choice(3, n, p=cfg.SEGMENT_SHARES)]
    segment = base.copy()
    odd = rng.random(n)
    segment[odd < cfg.UNCONFIGURED_SHARE] = cfg.UNCONFIGURED_SEGMENT
    segment[odd > 1 - cfg.EMPTY_SEGMENT_SHARE] = None
    config = np.array([s if s in configured else "default" for s in segment], dtype=object)

    users = np.empty(n, dtype=np.int64)
    for name, (low, high) in cfg.USERS.items():
        rows = base == name
        users[rows] = rng.integers(low, high + 1, rows.sum())
    experiment_start = start_ms + int(days * cfg.EXPERIMENT_START_SHARE) * cfg.DAY_MS
    variant = np.asarray(cfg.VARIANTS, dtype=object)[rng.integers(0, 2, n)]
    variant[signup_ms < experiment_start] = None

    words = np.asarray(cfg.NAME_WORDS, dtype=object)[rng.integers(0, len(cfg.NAME_WORDS), n)]
    nouns = np.asarray(cfg.NAME_NOUNS, dtype=object)[rng.integers(0, len(cfg.NAME_NOUNS), n)]
    return Accounts(
        ids=np.array([f"acc_{i:06d}" for i in range(1, n + 1)], dtype=object),
        names=np.array(
            [f"{w} {o} {i}" for i, (w, o) in enumerate(zip(words, nouns, strict=True), 1)], dtype=object
        ),
        signup_ms=signup_ms,
        segment=segment,
        config=config,
        plan=_by_segment(rng, base, cfg.PLANS, cfg.PLAN_SHARES),
        industry=np.asarray(cfg.INDUSTRIES, dtype=object)[rng.integers(0, len(cfg.INDUSTRIES), n)],
        company_size=_by_segment(rng, base, cfg.COMPANY_SIZES),
        channel=_by_segment(rng, base, {s: cfg.CHANNELS for s in cfg.SEGMENTS}, cfg.CHANNEL_SHARES),
        variant=variant,
        users=users,
        user_offset=np.concatenate([[0], np.cumsum(users)[:-1]]),
        engagement=rng.standard_normal(n),
    )
