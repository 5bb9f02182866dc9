"""The reports' "Predict and act" section, read from the serving snapshot: the propensity
models (AUC, Brier score, calibration), the alerts' precision against the base rate and
their queue, rescue by outreach delay, product-improvement requests, the health score
against retention, and the sentiment of survey comments with their friction themes.
What the snapshot does not hold (the prediction step has not run) is said, not zeroed.
The data only: templates/predict.html lays it out."""

from __future__ import annotations

import json

from orchestration.reports import charts
from orchestration.reports.content import named


def _models(con, tables: set[str]) -> dict:
    if "propensity_training_runs" not in tables:
        return {
            "unavailable": "Propensity not computed: the prediction step has not run on this snapshot's data."
        }
    runs = named(
        con.execute("""select target, model_version, status, auc, brier, base_rate, calibration
           from propensity_training_runs where is_current or model_version = 'backtest'
           order by target, model_version = 'backtest'""")
    )
    calibration = [
        charts.line_chart(
            f"Calibration of {run['target']} (backtest): observed vs predicted by band",
            [b["band"] for b in bands],
            {"predicted": [b["mean_predicted"] for b in bands], "observed": [b["observed"] for b in bands]},
            fmt=lambda v: f"{v:.0%}",
        )
        for run in runs
        if run["model_version"] == "backtest" and run["auc"] is not None and run["calibration"]
        for bands in [json.loads(run["calibration"])]
    ]
    return {"unavailable": None, "runs": runs, "calibration": calibration}


def _alerts(con) -> dict:
    return {
        "rules": named(
            con.execute("""
                select rule_name, alerted_accounts, alerts, sent_alerts, overflow_alerts, alert_precision,
                      base_rate, precision_lift, rescue_rate
               from kpi_at_risk_rescue where segment = 'all'
               order by rule_name = 'any_rule' desc, rule_name""")
        ),
        "delays": named(
            con.execute("""
                select rule_name, outreach_delay_bucket, measured_alerts, rescue_rate, rescue_rate_vs_later
               from kpi_rescue_by_outreach_delay where rule_name in ('any_rule', 'milestone_overdue')
               order by rule_name, bucket_order""")
        ),
        "requests": named(
            con.execute("""select evidence, rescue_rate, rule_rescue_rate, example_account_id
               from kpi_product_improvement_requests where is_improvement_request
               order by rescue_rate, measured_accounts desc""")
        ),
    }


def _health(con) -> list[dict]:
    return named(
        con.execute("""select health_band, scored_accounts, average_health_score, mature_accounts,
                  retention_rate_day_90, retention_lift
           from kpi_health_retention order by health_band = 'all', health_band desc""")
    )


def _sentiment(con, tables: set[str]) -> dict:
    if "survey_sentiment" not in tables:
        return {"unavailable": "Comment sentiment not computed: the prediction step has not run."}
    return {
        "unavailable": None,
        "surveys": named(
            con.execute("""select survey_type, count(*) as comments, avg(sentiment_compound) as average,
                      count(*) filter (where sentiment_label = 'negative') as negative
               from survey_sentiment group by 1 order by 1""")
        ),
        "themes": named(
            con.execute(
                "select word, low_score_comments, high_score_comments, z_score from friction_themes "
                "order by theme_rank limit 10"
            )
        ),
    }


def predict_data(con, tables: set[str]) -> dict:
    return {
        "models": _models(con, tables),
        "alerts": _alerts(con),
        "health": _health(con),
        "sentiment": _sentiment(con, tables),
    }
