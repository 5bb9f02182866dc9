"""Propensity to activate and to retain, trained on matured cohorts, validated on later
ones, calibrated, and written back to the warehouse as a daily history.

What the model sees: `marts.fct_account_day_features`, one row per account and complete
day of its onboarding period, with the signals known at the end of that day and two
outcomes, each with the instant it became known:

    activate_in_window  reached activation within the segment's window
                        (known at the end of the window)
    retained_day_90     a subscription covers day 90 (known at the end of day 90)

**Rolling origin.** A model version is trained at the first instant of each calendar
month (the cutoff T), and scores the days that end in that month. The leakage rule: a
version trained at T learns only from rows whose outcome was known by T
(`label_known_at <= T`), so no day is ever scored by a model that saw its outcome, and
the history of probabilities is what we could have said on each day.

**Time-split validation and calibration.** The accounts whose outcome is known by T are
ordered by sign-up: the oldest 60% fit a logistic regression (standardised inputs, each
account weighted equally over its days), the next 20% calibrate it (Platt scaling of the
frozen model), the latest 20% validate it: AUC, Brier score, base rate and a calibration
table (ten probability bands: mean predicted vs observed). The validation accounts signed
up after every fitting and calibration account. The `backtest` row of each target gives
the same figures over every scored day whose outcome is known now.

Activation is modelled on days the account has not activated yet and can still do so
within its window; on other days the probability is known (1: activated in the window,
0: the window has passed) and says so in `activation_reason`. A probability that cannot
be computed (too few matured accounts before the cutoff, no subscription data) is null
with the reason.

Deterministic for the same inputs (lbfgs, fixed ordering, no random state used) and
idempotent: both tables are replaced whole, in one transaction.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa
from sklearn.calibration import CalibratedClassifierCV
from sklearn.frozen import FrozenEstimator
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import brier_score_loss, roc_auc_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

FEATURES_TABLE = "marts.fct_account_day_features"
PROPENSITY_TABLE = "predict.fct_account_propensity"
RUNS_TABLE = "predict.propensity_training_runs"

# Counts enter as log(1 + x); day-level shares and flags as they are.
COUNT_FEATURES = (
    "logins_to_date",
    "active_days_to_date",
    "max_daily_active_users",
    "core_actions_to_date",
    "core_action_types_to_date",
    "failures_to_date",
    "help_views_to_date",
    "support_tickets_to_date",
    "outreach_touches_to_date",
    "friction_events_last_7",
    "milestones_reached",
)
NUMERIC_FEATURES = ("day_number", "days_left_in_window", "active_days_last_7", "milestone_share")
CATEGORICAL_FEATURES = ("config_segment", "plan", "acquisition_channel")
FIT_SHARE, CALIBRATION_SHARE = 0.6, 0.2
MIN_ACCOUNTS = 60  # matured accounts a version needs before its cutoff
MIN_CLASS_ACCOUNTS = 5  # of each outcome, in each of the fit, calibration and validation parts
CALIBRATION_BANDS = 10


@dataclass(frozen=True)
class Target:
    name: str
    label: str  # column of the features table
    known_at: str  # when the label became known


TARGETS = (
    Target("activate_in_window", "is_activated_in_window", "activation_label_known_at"),
    Target("retained_day_90", "is_retained_day_90", "retention_label_known_at"),
)

COLUMNS = (
    "account_id",
    "signed_up_at",
    "day_number",
    "day_ends_at",
    "days_left_in_window",
    "is_activated",
    "days_since_last_activity",
    "is_activated_in_window",
    "activation_label_known_at",
    "is_retained_day_90",
    "retention_label_known_at",
    *COUNT_FEATURES,
    *[f for f in NUMERIC_FEATURES if f not in ("day_number", "days_left_in_window")],
    *CATEGORICAL_FEATURES,
)


@dataclass
class Frame:
    """The features table as columns (NumPy arrays), in a fixed order."""

    columns: dict[str, np.ndarray]

    def __len__(self) -> int:
        return len(self.columns["account_id"])

    def __getitem__(self, name: str) -> np.ndarray:
        return self.columns[name]

    def take(self, rows: np.ndarray) -> Frame:
        return Frame({k: v[rows] for k, v in self.columns.items()})


def read_features(con) -> Frame:
    """The features, ordered by account and day (the order fixes every result)."""
    cursor = con.execute(f"select {', '.join(COLUMNS)} from {FEATURES_TABLE} order by account_id, day_number")
    rows = cursor.fetchall()
    columns = {}
    for i, name in enumerate(COLUMNS):
        values = [row[i] for row in rows]
        if name in ("account_id", *CATEGORICAL_FEATURES):
            columns[name] = np.array([v if v is not None else "unknown" for v in values], dtype=object)
        elif name.endswith("_at"):
            columns[name] = np.array(
                [np.datetime64(v, "us") if v is not None else np.datetime64("NaT") for v in values]
            )
        elif name.startswith("is_"):
            columns[name] = np.array([np.nan if v is None else float(v) for v in values])
        else:
            columns[name] = np.array([np.nan if v is None else float(v) for v in values], dtype=float)
    return Frame(columns)


@dataclass
class Design:
    """How features become the model's input: the categories seen in training."""

    categories: dict[str, list[str]]
    with_activation_flag: bool

    @classmethod
    def fit(cls, frame: Frame, with_activation_flag: bool) -> Design:
        return cls({c: sorted(set(frame[c].tolist())) for c in CATEGORICAL_FEATURES}, with_activation_flag)

    @property
    def names(self) -> list[str]:
        names = [*COUNT_FEATURES, *NUMERIC_FEATURES, "never_active", "days_since_last_activity"]
        if self.with_activation_flag:
            names.append("is_activated")
        names += [f"{c}={v}" for c in CATEGORICAL_FEATURES for v in self.categories[c]]
        return names

    def matrix(self, frame: Frame) -> np.ndarray:
        parts = [np.log1p(np.nan_to_num(frame[c], nan=0.0)) for c in COUNT_FEATURES]
        parts += [np.nan_to_num(frame[c], nan=0.0) for c in NUMERIC_FEATURES]
        since = frame["days_since_last_activity"]
        parts.append(np.isnan(since).astype(float))
        parts.append(np.where(np.isnan(since), frame["day_number"] + 1, since))
        if self.with_activation_flag:
            parts.append(np.nan_to_num(frame["is_activated"], nan=0.0))
        for c in CATEGORICAL_FEATURES:
            parts += [(frame[c] == v).astype(float) for v in self.categories[c]]
        return np.column_stack(parts)


@dataclass
class Version:
    """One trained model version (or why there is none)."""

    target: str
    cutoff: dt.datetime
    status: str
    model: object | None = None
    design: Design | None = None
    metrics: dict = field(default_factory=dict)


def month_starts(first: dt.datetime, last: dt.datetime) -> list[dt.datetime]:
    """The first instant of every calendar month from the month of `first` to that of `last`."""
    month, out = dt.datetime(first.year, first.month, 1), []
    while month <= last:
        out.append(month)
        month = (month + dt.timedelta(days=32)).replace(day=1)
    return out


def trainable(frame: Frame, target: Target) -> np.ndarray:
    """Rows a model of the target learns from and scores."""
    if target.name == "activate_in_window":
        return (frame["is_activated"] == 0) & (frame["days_left_in_window"] >= 1)
    return np.ones(len(frame), dtype=bool)


def training_rows(frame: Frame, target: Target, cutoff: dt.datetime) -> np.ndarray:
    """The leakage rule: rows of the target whose outcome was known by the cutoff."""
    known = frame[target.known_at] <= np.datetime64(cutoff, "us")
    return np.flatnonzero(trainable(frame, target) & known & ~np.isnan(frame[target.label]))


def split_by_signup(frame: Frame, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Fit, calibration and validation rows: accounts ordered by sign-up (then id), the
    oldest FIT_SHARE fit, the next CALIBRATION_SHARE calibrate, the latest validate."""
    accounts = sorted({(frame["signed_up_at"][r], frame["account_id"][r]) for r in rows})
    n = len(accounts)
    fit_end, calibration_end = int(n * FIT_SHARE), int(n * (FIT_SHARE + CALIBRATION_SHARE))
    part = {account: 0 for _, account in accounts[:fit_end]}
    part.update({account: 1 for _, account in accounts[fit_end:calibration_end]})
    part.update({account: 2 for _, account in accounts[calibration_end:]})
    which = np.array([part[frame["account_id"][r]] for r in rows])
    return rows[which == 0], rows[which == 1], rows[which == 2]


def _account_weights(frame: Frame, rows: np.ndarray) -> np.ndarray:
    """Each account counts once, whatever how many days it has."""
    ids = frame["account_id"][rows]
    _, inverse, counts = np.unique(ids, return_inverse=True, return_counts=True)
    return 1.0 / counts[inverse]


def _too_few(frame: Frame, target: Target, parts: tuple[np.ndarray, ...]) -> str | None:
    accounts = len(set(frame["account_id"][np.concatenate(parts)].tolist()))
    if accounts < MIN_ACCOUNTS:
        return f"too few matured accounts ({accounts} < {MIN_ACCOUNTS})"
    for name, rows in zip(("fitting", "calibration", "validation"), parts, strict=True):
        labels = frame[target.label][rows]
        for outcome in (0.0, 1.0):
            n = len(set(frame["account_id"][rows][labels == outcome].tolist()))
            if n < MIN_CLASS_ACCOUNTS:
                return f"too few accounts with outcome {bool(outcome)} in the {name} set ({n})"
    return None


def calibration_table(labels: np.ndarray, predicted: np.ndarray) -> list[dict]:
    bands = np.minimum((predicted * CALIBRATION_BANDS).astype(int), CALIBRATION_BANDS - 1)
    table = []
    for band in range(CALIBRATION_BANDS):
        mask = bands == band
        if mask.any():
            table.append(
                {
                    "band": f"{band / CALIBRATION_BANDS:.1f}-{(band + 1) / CALIBRATION_BANDS:.1f}",
                    "rows": int(mask.sum()),
                    "mean_predicted": round(float(predicted[mask].mean()), 6),
                    "observed": round(float(labels[mask].mean()), 6),
                }
            )
    return table


def evaluate(labels: np.ndarray, predicted: np.ndarray) -> dict:
    both = len(set(labels.tolist())) == 2
    return {
        "auc": float(roc_auc_score(labels, predicted)) if both else None,
        "brier": float(brier_score_loss(labels, predicted)) if len(labels) else None,
        "base_rate": float(labels.mean()) if len(labels) else None,
        "calibration": calibration_table(labels, predicted),
    }


def train_version(frame: Frame, target: Target, cutoff: dt.datetime) -> Version:
    rows = training_rows(frame, target, cutoff)
    fit, calibrate, validate = split_by_signup(frame, rows)
    reason = _too_few(frame, target, (fit, calibrate, validate))
    info = {
        "train_accounts": len(set(frame["account_id"][np.concatenate([fit, calibrate])].tolist())),
        "train_rows": len(fit) + len(calibrate),
        "validation_accounts": len(set(frame["account_id"][validate].tolist())),
        "max_train_label_known_at": frame[target.known_at][np.concatenate([fit, calibrate, validate])].max()
        if len(rows)
        else None,
        "min_validation_signed_up_at": frame["signed_up_at"][validate].min() if len(validate) else None,
    }
    if reason:
        return Version(target.name, cutoff, reason, metrics=info)
    design = Design.fit(frame.take(fit), with_activation_flag=target.name == "retained_day_90")
    model = make_pipeline(StandardScaler(), LogisticRegression(C=1.0, max_iter=2000))
    model.fit(
        design.matrix(frame.take(fit)),
        frame[target.label][fit],
        logisticregression__sample_weight=_account_weights(frame, fit),
    )
    calibrated = CalibratedClassifierCV(FrozenEstimator(model), method="sigmoid")
    calibrated.fit(design.matrix(frame.take(calibrate)), frame[target.label][calibrate])
    predicted = calibrated.predict_proba(design.matrix(frame.take(validate)))[:, 1]
    coefficients = dict(zip(design.names, model[-1].coef_[0].round(6).tolist(), strict=True))
    info.update(evaluate(frame[target.label][validate], predicted), coefficients=coefficients)
    info["features"] = design.names
    return Version(target.name, cutoff, "trained", calibrated, design, info)


@dataclass
class Result:
    probabilities: dict[str, np.ndarray]  # target -> per row
    reasons: dict[str, np.ndarray]
    versions: dict[str, np.ndarray]  # target -> model version per row
    runs: list[Version]
    backtest: dict[str, dict]


def score(frame: Frame) -> Result:
    """Train every version of every target and score each row with its month's version."""
    n = len(frame)
    if n == 0:
        return Result({}, {}, {}, [], {})
    first = frame["day_ends_at"].min().astype(dt.datetime)
    last = frame["day_ends_at"].max().astype(dt.datetime)
    day_month = frame["day_ends_at"].astype("datetime64[M]")
    probabilities, reasons, versions, runs, backtest = {}, {}, {}, [], {}
    for target in TARGETS:
        p = np.full(n, np.nan)
        reason = np.full(n, None, dtype=object)
        version = np.full(n, None, dtype=object)
        modelled = trainable(frame, target)
        for cutoff in month_starts(first, last):
            month_rows = np.flatnonzero(day_month == np.datetime64(cutoff, "M"))
            if len(month_rows) == 0:
                continue
            trained = train_version(frame, target, cutoff)
            runs.append(trained)
            version[month_rows] = cutoff.strftime("%Y-%m-%d")
            scored = month_rows[modelled[month_rows]]
            if trained.model is not None and len(scored):
                p[scored] = trained.model.predict_proba(trained.design.matrix(frame.take(scored)))[:, 1]
                reason[scored] = "model"
            else:
                reason[scored] = f"no model: {trained.status}"
        if target.name == "activate_in_window":
            _known_activation(frame, p, reason)
        elif no_subscription_data(frame):
            p[:] = np.nan
            reason[:] = "no subscription data: retention is not known for any account"
        probabilities[target.name], reasons[target.name], versions[target.name] = p, reason, version
        known = modelled & ~np.isnan(frame[target.label]) & ~np.isnan(p)
        backtest[target.name] = evaluate(frame[target.label][known], p[known]) | {"rows": int(known.sum())}
    return Result(probabilities, reasons, versions, runs, backtest)


def _known_activation(frame: Frame, p: np.ndarray, reason: np.ndarray) -> None:
    """Days whose in-window activation is already decided: activated inside the window (1),
    or the window has ended (the outcome, known by then)."""
    activated, left = frame["is_activated"] == 1, frame["days_left_in_window"]
    inside = activated & (left >= 0)
    p[inside], reason[inside] = 1.0, "activated"
    ended = (left < 0) | (~activated & (left == 0))
    outcome = np.where(left < 0, frame["is_activated_in_window"], 0.0)
    p[ended] = outcome[ended]
    reason[ended] = np.where(outcome[ended] == 1, "activated", "window_passed")


def no_subscription_data(frame: Frame) -> bool:
    """Day 90 has ended for some account (by the latest day of the data) yet no retention
    outcome is known: the warehouse has no subscriptions."""
    target = TARGETS[1]
    ended = frame[target.known_at] <= frame["day_ends_at"].max()
    return bool(ended.any()) and bool(np.isnan(frame[target.label]).all())


CREATE = f"""
create schema if not exists predict;
create or replace table {PROPENSITY_TABLE} (
    account_id varchar, day_number integer, day_ends_at timestamp,
    activation_model_version varchar, p_activate_in_window double, activation_reason varchar,
    retention_model_version varchar, p_retained_day_90 double, retention_reason varchar
);
create or replace table {RUNS_TABLE} (
    target varchar, model_version varchar, is_current boolean, status varchar,
    train_accounts integer, train_rows integer, validation_accounts integer,
    max_train_label_known_at timestamp, min_validation_signed_up_at timestamp,
    auc double, brier double, base_rate double, calibration varchar, features varchar,
    coefficients varchar
);
"""


def _number(value) -> float | None:
    return None if value is None or (isinstance(value, float) and math.isnan(value)) else float(value)


def _instant(value) -> dt.datetime | None:
    if value is None or (isinstance(value, np.datetime64) and np.isnat(value)):
        return None
    return value.astype(dt.datetime) if isinstance(value, np.datetime64) else value


def run_rows(result: Result) -> list[tuple]:
    latest = {}
    for run in result.runs:
        latest[run.target] = max(latest.get(run.target, run.cutoff), run.cutoff)
    rows = []
    for run in result.runs:
        m = run.metrics
        rows.append(
            (
                run.target,
                run.cutoff.strftime("%Y-%m-%d"),
                run.cutoff == latest[run.target],
                run.status,
                m.get("train_accounts"),
                m.get("train_rows"),
                m.get("validation_accounts"),
                _instant(m.get("max_train_label_known_at")),
                _instant(m.get("min_validation_signed_up_at")),
                _number(m.get("auc")),
                _number(m.get("brier")),
                _number(m.get("base_rate")),
                json.dumps(m.get("calibration")) if "calibration" in m else None,
                json.dumps(m.get("features")) if "features" in m else None,
                json.dumps(m.get("coefficients")) if "coefficients" in m else None,
            )
        )
    for target, m in result.backtest.items():
        status = "backtest" if m["rows"] else "backtest: no scored day with a known outcome yet"
        rows.append(
            (target, "backtest", False, status, None, m["rows"], None, None, None,
             _number(m["auc"]), _number(m["brier"]), _number(m["base_rate"]),
             json.dumps(m["calibration"]), None, None)
        )  # fmt: skip
    return rows


def write(con, frame: Frame, result: Result) -> None:
    """Replace both tables in one transaction (rows inserted from Arrow tables)."""
    n = len(frame)
    empty = np.full(n, None, dtype=object)
    a, r = "activate_in_window", "retained_day_90"

    def probability(target: str) -> pa.Array:
        values = result.probabilities.get(target, np.full(n, np.nan))
        return pa.array(values, pa.float64(), mask=np.isnan(values))

    scores = pa.table(
        {
            "account_id": pa.array(frame["account_id"].tolist(), pa.string()),
            "day_number": pa.array(frame["day_number"].astype(np.int32)),
            "day_ends_at": pa.array(frame["day_ends_at"], pa.timestamp("us")),
            "activation_model_version": pa.array(result.versions.get(a, empty).tolist(), pa.string()),
            "p_activate_in_window": probability(a),
            "activation_reason": pa.array(result.reasons.get(a, empty).tolist(), pa.string()),
            "retention_model_version": pa.array(result.versions.get(r, empty).tolist(), pa.string()),
            "p_retained_day_90": probability(r),
            "retention_reason": pa.array(result.reasons.get(r, empty).tolist(), pa.string()),
        }
    )
    con.execute("begin transaction")
    try:
        con.execute(CREATE)
        con.register("propensity_scores", scores)
        con.execute(f"insert into {PROPENSITY_TABLE} select * from propensity_scores")
        con.unregister("propensity_scores")
        runs = run_rows(result)
        if runs:
            con.executemany(f"insert into {RUNS_TABLE} values ({', '.join('?' * 15)})", runs)
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise


def run(con) -> Result:
    """Read the features, train and score, write both tables; the result."""
    frame = read_features(con)
    result = score(frame)
    write(con, frame, result)
    return result


def current_metrics(con) -> list[tuple]:
    """(target, version, status, auc, brier, base_rate, calibration) of the current versions and
    the backtests, for metadata, the summary and the reports."""
    return con.execute(
        f"""select target, model_version, status, auc, brier, base_rate, calibration
            from {RUNS_TABLE} where is_current or model_version = 'backtest'
            order by target, model_version = 'backtest'"""
    ).fetchall()
