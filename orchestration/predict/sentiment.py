"""Sentiment of survey comments, and the friction themes: the words that separate low
scores from high ones.

Sentiment: VADER (vaderSentiment), a lexicon and rule-based scorer whose lexicon ships
inside the package (nothing is downloaded). Each comment gets the compound score, -1
(most negative) to 1, and a label: negative below -0.05, positive above 0.05 (VADER's
own thresholds), neutral between. Responses without a comment get no row.

Friction themes: comments of low scores (the bottom third of their scale: 1-2 of 1-5,
0-3 of NPS's 0-10) against those of high scores (the top third: 4-5, 7-10), word by word
(lower-case letters, stop words left out, a word counted once per comment): the log-odds
ratio of the word in low- vs high-score comments with an informative Dirichlet prior (the
word's frequency over all comments, Monroe, Colaresi and Quinn 2008), and its z-score.
Words used in at least MIN_LOW_COMMENTS low-score comments with a positive z, most
telling first.

Deterministic and idempotent: both tables are replaced whole, in one transaction.
"""

from __future__ import annotations

import math
import re
from collections import Counter

import pyarrow as pa
from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

SENTIMENT_TABLE = "predict.survey_sentiment"
THEMES_TABLE = "predict.friction_themes"
NEGATIVE, POSITIVE = -0.05, 0.05
MIN_LOW_COMMENTS = 3
PRIOR_STRENGTH = 10.0  # the prior's total count (alpha_0)
WORD = re.compile(r"[a-z]+")
STOP_WORDS = frozenset(
    (
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "but",
        "by",
        "for",
        "from",
        "had",
        "has",
        "have",
        "in",
        "is",
        "it",
        "its",
        "of",
        "on",
        "or",
        "our",
        "so",
        "that",
        "the",
        "their",
        "them",
        "they",
        "this",
        "to",
        "too",
        "was",
        "we",
        "were",
        "with",
        "you",
        "your",
        "us",
        "no",
        "not",
        "very",
    )
)

RESPONSES = """
    select response_id, account_id, survey_type, score, submitted_at, comment
    from staging.stg_surveys
    where comment is not null and trim(comment) <> ''
    order by response_id
"""

CREATE = f"""
create schema if not exists predict;
create or replace table {SENTIMENT_TABLE} (
    response_id varchar, account_id varchar, survey_type varchar, score integer,
    submitted_at timestamp, comment varchar, sentiment_compound double, sentiment_label varchar
);
create or replace table {THEMES_TABLE} (
    word varchar, low_score_comments integer, high_score_comments integer,
    log_odds_ratio double, z_score double, theme_rank integer
);
"""


def label(compound: float) -> str:
    return "negative" if compound < NEGATIVE else "positive" if compound > POSITIVE else "neutral"


def score_band(survey_type: str, score: int) -> str:
    """low, middle or high: the third of the survey's scale the score falls in."""
    low, high = (0, 10) if survey_type == "nps" else (1, 5)
    position = (score - low) / (high - low)
    return "low" if position < 1 / 3 + 1e-9 else "high" if position > 2 / 3 - 1e-9 else "middle"


def words(comment: str) -> set[str]:
    return {w for w in WORD.findall(comment.lower()) if w not in STOP_WORDS and len(w) > 2}


def friction_themes(comments: list[tuple[str, str, int]]) -> list[tuple]:
    """(word, low comments, high comments, log-odds ratio, z) for (survey_type, comment, score)."""
    low, high, every = Counter(), Counter(), Counter()
    for survey_type, comment, score in comments:
        seen = words(comment)
        every.update(seen)
        band = score_band(survey_type, score)
        if band == "low":
            low.update(seen)
        elif band == "high":
            high.update(seen)
    n_low, n_high, n_all = sum(low.values()), sum(high.values()), sum(every.values())
    if not n_low or not n_high:
        return []
    rows = []
    for word in sorted(every):
        prior = PRIOR_STRENGTH * every[word] / n_all
        y_low, y_high = low[word], high[word]
        log_odds_low = math.log((y_low + prior) / (n_low + PRIOR_STRENGTH - y_low - prior))
        log_odds_high = math.log((y_high + prior) / (n_high + PRIOR_STRENGTH - y_high - prior))
        delta = log_odds_low - log_odds_high
        z = delta / math.sqrt(1 / (y_low + prior) + 1 / (y_high + prior))
        if y_low >= MIN_LOW_COMMENTS and z > 0:
            rows.append((word, y_low, y_high, delta, z))
    rows.sort(key=lambda r: (-r[4], r[0]))
    return [(*row, rank) for rank, row in enumerate(rows, 1)]


def run(con) -> tuple[int, list[tuple]]:
    """Score every comment and find the themes; (comments scored, themes)."""
    analyzer = SentimentIntensityAnalyzer()
    responses = con.execute(RESPONSES).fetchall()
    compound = [analyzer.polarity_scores(r[5])["compound"] for r in responses]
    scored = pa.table(
        {
            "response_id": pa.array([r[0] for r in responses], pa.string()),
            "account_id": pa.array([r[1] for r in responses], pa.string()),
            "survey_type": pa.array([r[2] for r in responses], pa.string()),
            "score": pa.array([int(r[3]) for r in responses], pa.int32()),
            "submitted_at": pa.array([r[4] for r in responses], pa.timestamp("us")),
            "comment": pa.array([r[5] for r in responses], pa.string()),
            "sentiment_compound": pa.array(compound, pa.float64()),
            "sentiment_label": pa.array([label(c) for c in compound], pa.string()),
        }
    )
    themes = friction_themes([(r[2], r[5], int(r[3])) for r in responses])
    con.execute("begin transaction")
    try:
        con.execute(CREATE)
        con.register("scored_comments", scored)
        con.execute(f"insert into {SENTIMENT_TABLE} select * from scored_comments")
        con.unregister("scored_comments")
        if themes:
            con.executemany(f"insert into {THEMES_TABLE} values (?, ?, ?, ?, ?, ?)", themes)
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise
    return len(responses), themes
