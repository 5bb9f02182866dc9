"""The reports' "Predict and act" section, read from the serving snapshot: the propensity
models (AUC, Brier score, calibration), the alerts' precision against the base rate and
their queue, rescue by outreach delay, product-improvement requests, the health score
against retention, and the sentiment of survey comments with their friction themes.
What the snapshot does not hold (the prediction step has not run) is said, not zeroed."""

from __future__ import annotations

import json
from html import escape

from orchestration.reports import charts
from orchestration.reports.page import number, percent, score, section, table

PREDICTION_TABLES = ("propensity_training_runs", "friction_themes", "survey_sentiment")


def _unavailable(text: str) -> str:
    return f'<p class="unavailable">{escape(text)}</p>'


def _models(con, tables: set[str]) -> list[str]:
    if "propensity_training_runs" not in tables:
        return [
            _unavailable("Propensity not computed: the prediction step has not run on this snapshot's data.")
        ]
    rows = con.execute(
        """select target, model_version, status, auc, brier, base_rate, calibration
           from propensity_training_runs where is_current or model_version = 'backtest'
           order by target, model_version = 'backtest'"""
    ).fetchall()
    body = [
        [target, version, status, score(auc), score(brier), percent(base_rate)]
        for target, version, status, auc, brier, base_rate, _ in rows
    ]
    parts = [
        "<p>Propensity to activate within the window and to be subscribed on day 90: logistic "
        "regressions trained each month on outcomes known by then (no leakage), calibrated on the next "
        "cohorts and validated on the latest; the backtest scores every day by the model of its month.</p>",
        table(["target", "model", "status", "AUC", "Brier", "base rate"], body),
    ]
    for target, version, _, auc, _, _, calibration in rows:
        if version != "backtest" or auc is None or not calibration:
            continue
        bands = json.loads(calibration)
        parts.append(
            charts.line_chart(
                f"Calibration of {target} (backtest): observed vs predicted by band",
                [b["band"] for b in bands],
                {
                    "predicted": [b["mean_predicted"] for b in bands],
                    "observed": [b["observed"] for b in bands],
                },
                fmt=lambda v: f"{v:.0%}",
            )
        )
    return parts


def _alerts(con) -> list[str]:
    rows = con.execute(
        """select rule_name, alerted_accounts, alerts, sent_alerts, overflow_alerts, alert_precision,
                  base_rate, precision_lift, rescue_rate
           from kpi_at_risk_rescue where segment = 'all' order by rule_name = 'any_rule' desc, rule_name"""
    ).fetchall()
    body = [
        [r, number(a), number(n), number(s), number(o), percent(p), percent(b), score(lift), percent(rescue)]
        for r, a, n, s, o, p, b, lift, rescue in rows
    ]
    delays = con.execute(
        """select rule_name, outreach_delay_bucket, measured_alerts, rescue_rate, rescue_rate_vs_later
           from kpi_rescue_by_outreach_delay where rule_name in ('any_rule', 'milestone_overdue')
           order by rule_name, bucket_order"""
    ).fetchall()
    delay_body = [[r, b, number(m), percent(rate), score(ratio)] for r, b, m, rate, ratio in delays]
    requests = con.execute(
        """select evidence, rescue_rate, rule_rescue_rate, example_account_id
           from kpi_product_improvement_requests where is_improvement_request
           order by rescue_rate, measured_accounts desc"""
    ).fetchall()
    items = [
        f"{escape(evidence)}: rescue rate {percent(rate)} against {percent(rule_rate)} for the rule "
        f"(e.g. {escape(str(example))})"
        for evidence, rate, rule_rate, example in requests
    ]
    return [
        "<h3>At-risk alerts: precision and queue</h3>",
        "<p>Precision: alerted accounts past their activation window that did not activate in it, "
        "against the base rate of every account past its window (kpi_at_risk_rescue). Alerts beyond "
        "an owner's daily cap are kept as overflow, not sent.</p>",
        table(
            ["rule", "accounts", "alerts", "sent", "overflow", "precision", "base rate", "lift", "rescue"],
            body,
        ),
        "<h3>Rescue rate by outreach delay</h3>",
        table(["rule", "outreach", "measured alerts", "rescued in window", "vs later"], delay_body),
        "<h3>Product-improvement requests (patterns rescues cannot solve)</h3>",
        '<ul class="actions">'
        + "".join(f"<li>{item}</li>" for item in items or ["No pattern below the rescue threshold."])
        + "</ul>",
    ]


def _health(con) -> list[str]:
    rows = con.execute(
        """select health_band, scored_accounts, average_health_score, mature_accounts,
                  retention_rate_day_90, retention_lift
           from kpi_health_retention order by health_band = 'all', health_band desc"""
    ).fetchall()
    body = [
        [b, number(n), score(avg), number(m), percent(rate), score(lift)] for b, n, avg, m, rate, lift in rows
    ]
    return [
        "<h3>Health score and day-90 retention</h3>",
        table(["score band (day 13)", "accounts", "average", "past day 90", "retained", "lift"], body),
    ]


def _sentiment(con, tables: set[str]) -> list[str]:
    if "survey_sentiment" not in tables:
        return [_unavailable("Comment sentiment not computed: the prediction step has not run.")]
    rows = con.execute(
        """select survey_type, count(*), avg(sentiment_compound),
                  count(*) filter (where sentiment_label = 'negative')
           from survey_sentiment group by 1 order by 1"""
    ).fetchall()
    body = [[t, number(n), score(avg), number(neg)] for t, n, avg, neg in rows]
    themes = con.execute(
        "select word, low_score_comments, high_score_comments, z_score from friction_themes "
        "order by theme_rank limit 10"
    ).fetchall()
    theme_body = [[w, number(low), number(high), score(z)] for w, low, high, z in themes]
    return [
        "<h3>Sentiment of survey comments (VADER)</h3>",
        table(["survey", "comments", "average compound (-1..1)", "negative"], body),
        "<h4>Friction themes: words that separate low scores from high ones</h4>",
        table(["word", "low-score comments", "high-score comments", "z"], theme_body)
        if theme_body
        else "<p>No word separates low from high scores yet.</p>",
    ]


def predict_section(con, tables: set[str]) -> str:
    parts = ["<h3>Propensity models</h3>", *_models(con, tables), *_alerts(con), *_health(con)]
    parts += _sentiment(con, tables)
    return section("predict", "Predict and act", "".join(parts))
