"""Survey responses: onboarding satisfaction around day 14, CSAT, quarterly NPS."""

import numpy as np
import pyarrow as pa

from onboarding_sample import config as cfg
from onboarding_sample.journeys import ABANDONED
from onboarding_sample.world import World, is_active
from onboarding_sample.writer import iso_text

# Comments follow the score: a low score (bottom third of its scale) draws from the
# friction comments, a high one (top third) from the praise, the middle from both. The
# friction words (FRICTION_WORDS) are the planted themes that separate low from high
# scores, for the sentiment marts to find.
FRICTION_COMMENTS = (
    "Frustrating integration, it keeps failing",
    "Confusing docs, setup is a problem",
    "The integration broke twice, terrible experience",
    "Stuck on setup, confusing permissions and no help",
)
PRAISE_COMMENTS = (
    "Setup was quick and easy",
    "Support was helpful and friendly",
    "Love the workflows, great product",
    "Great dashboards, the team loves it",
)


def _words(texts: tuple[str, ...]) -> set[str]:
    return {w.strip(",.").lower() for text in texts for w in text.split()}


# Words only friction comments use: what the friction themes must find first.
FRICTION_WORDS = tuple(sorted(_words(FRICTION_COMMENTS) - _words(PRAISE_COMMENTS)))
COMMENT_SHARE = 0.6


def _scores(rng, good: np.ndarray, low: int, high: int) -> np.ndarray:
    """Higher scores for accounts that are doing well."""
    u = rng.random(len(good))
    span = high - low
    skew = np.where(good, np.sqrt(u), u**1.6)
    return (low + np.floor(skew * (span + 0.999))).astype(np.int64)


def _comments(rng, kind: np.ndarray, score: np.ndarray) -> np.ndarray:
    """One draw per response, as before: whether it has a comment, and which."""
    u = rng.random(len(score))
    high = np.where(kind == "nps", 10, 5)
    low = np.where(kind == "nps", 0, 1)
    position = (score - low) / (high - low)
    friction = np.where(position <= 1 / 3, True, np.where(position >= 2 / 3, False, u < COMMENT_SHARE / 2))
    pool = np.where(friction, 0, 1)
    which = (u * 1000).astype(np.int64) % 4
    texts = np.array([FRICTION_COMMENTS, PRAISE_COMMENTS], dtype=object)[pool, which]
    return np.where(u < COMMENT_SHARE, texts, None)


def build_surveys(world: World) -> pa.Table:
    rng = np.random.default_rng(np.random.SeedSequence([world.params.seed, 3]))
    acc, n = world.accounts, len(world.accounts)
    engaged = world.journeys.outcome != ABANDONED
    parts = []

    def add(kind, account, when, good, low, high):
        keep = (when < world.end_ms) & is_active(world, account, when)
        account, when, good = account[keep], when[keep], good[keep]
        parts.append(
            (np.full(len(account), kind, dtype=object), account, when, _scores(rng, good, low, high))
        )

    onboarding = np.flatnonzero(engaged & (rng.random(n) < 0.5))
    when = acc.signup_ms[onboarding] + ((14 + rng.uniform(0, 3, len(onboarding))) * cfg.DAY_MS).astype(
        np.int64
    )
    add("onboarding_satisfaction", onboarding, when, world.activation_ms[onboarding] <= when, 1, 5)

    csat_count = rng.poisson(np.where(engaged, 0.6, 0.0))
    csat = np.repeat(np.arange(n), csat_count)
    when = acc.signup_ms[csat] + (rng.uniform(1, 120, len(csat)) * cfg.DAY_MS).astype(np.int64)
    add("csat", csat, when, world.activation_ms[csat] <= when, 1, 5)

    for quarter in range(1, world.days // 90 + 2):
        nps = np.flatnonzero(engaged & (rng.random(n) < 0.3))
        when = acc.signup_ms[nps] + (quarter * 90 + rng.uniform(0, 10, len(nps))) * cfg.DAY_MS
        add("nps", nps, when.astype(np.int64), world.activation_ms[nps] <= when, 0, 10)

    early = world.params.imperfections.surveys_before_signup
    if early:
        account = rng.choice(np.flatnonzero(engaged), min(early, int(engaged.sum())), replace=False)
        when = acc.signup_ms[account] - (rng.uniform(1, 5, len(account)) * cfg.DAY_MS).astype(np.int64)
        parts.append(
            (
                np.full(len(account), "onboarding_satisfaction", dtype=object),
                account,
                np.maximum(when, world.start_ms),
                _scores(rng, np.zeros(len(account), bool), 1, 5),
            )
        )

    kind, account, when, score = (np.concatenate(p) for p in zip(*parts, strict=True))
    order = np.lexsort((account, when))
    kind, account, when, score = kind[order], account[order], when[order], score[order]
    user = acc.user_offset[account] + (rng.random(len(account)) * acc.users[account]).astype(np.int64)
    comments = _comments(rng, kind, score)
    return pa.table(
        {
            "response_id": [f"rsp_{i:07d}" for i in range(1, len(account) + 1)],
            "account_id": pa.array(acc.ids[account], pa.string()),
            "user_id": [f"usr_{u + 1}" for u in user],
            "survey_type": pa.array(kind, pa.string()),
            "score": pa.array(score, pa.int64()),
            "comment": pa.array(comments, pa.string()),
            "submitted_at": iso_text(when),
        }
    )
