"""Dagster definitions of orchestration/predict: the Python assets that write predictions
back to the warehouse (group `predict`) and the dbt models that read them (the status
pages that show them: orchestration/serving/assets.py).

    marts (onboarding_dbt) ──► predict/survey_sentiment, predict/fct_account_propensity
                           ──► onboarding_dbt_predicted (dbt: the models reading `predict`)
                           ──► serving/snapshot, serving/status_pages

The dbt project is split so that no dbt asset is both upstream and downstream of a
Python one: `onboarding_dbt_predicted` holds the models that read a `predict` source and
everything above them (dbt selector `source:predict+`), and `onboarding_dbt` excludes
them (orchestration/transform/assets.py)."""

import json

from dagster import (
    AssetExecutionContext,
    AssetKey,
    AssetSpec,
    BackfillPolicy,
    MaterializeResult,
    MetadataValue,
    multi_asset,
)
from dagster_dbt import DbtCliResource, dbt_assets

from orchestration.lib import markdown_table
from orchestration.predict import propensity, sentiment
from orchestration.transform.assets import _build_unpartitioned, translator
from orchestration.transform.previews import with_kpi_previews
from orchestration.transform.resources import WarehouseResource, dbt_project

PREDICTED_SELECTION = "source:predict+"
PROPENSITY = AssetKey(["predict", "fct_account_propensity"])
TRAINING_RUNS = AssetKey(["predict", "propensity_training_runs"])
SENTIMENT = AssetKey(["predict", "survey_sentiment"])
THEMES = AssetKey(["predict", "friction_themes"])
OWNERS = ["team:analytics-engineering"]


@dbt_assets(
    manifest=dbt_project.manifest_path,
    project=dbt_project,
    dagster_dbt_translator=translator,
    name="onboarding_dbt_predicted",
    select=PREDICTED_SELECTION,
    backfill_policy=BackfillPolicy.single_run(),
)
def onboarding_dbt_predicted(context: AssetExecutionContext, dbt: DbtCliResource):
    """`dbt build` of the models that read the predictions (alerts ranked by propensity,
    health with sentiment) and of everything above them."""
    yield from with_kpi_previews(context, _build_unpartitioned(context, dbt))


@multi_asset(
    specs=[
        AssetSpec(
            SENTIMENT,
            deps=[AssetKey(["staging", "stg_surveys"])],
            owners=OWNERS,
            description="VADER sentiment of every survey comment (lexicon shipped in vaderSentiment).",
        ),
        AssetSpec(
            THEMES,
            deps=[AssetKey(["staging", "stg_surveys"])],
            owners=OWNERS,
            description="Words that separate low-score comments from high-score ones (log-odds, z).",
        ),
    ],
    group_name="predict",
    compute_kind="python",
)
def survey_sentiment(context: AssetExecutionContext, warehouse: WarehouseResource):
    """Score the survey comments and find the friction themes (orchestration/predict/sentiment.py)."""
    with warehouse.connect() as con:
        scored, themes = sentiment.run(con)
    context.log.info(f"{scored} comments scored, {len(themes)} friction themes")
    rows = [(word, low, high, round(z, 2)) for word, low, high, _, z, _ in themes[:10]]
    yield MaterializeResult(asset_key=SENTIMENT, metadata={"comments": scored})
    yield MaterializeResult(
        asset_key=THEMES,
        metadata={
            "themes": len(themes),
            "top_themes": MetadataValue.md(
                markdown_table(["word", "low-score comments", "high-score comments", "z"], rows)
                if rows
                else "none"
            ),
        },
    )


def calibration_markdown(calibration: str | None) -> str:
    if not calibration:
        return "n/a"
    rows = [(b["band"], b["rows"], b["mean_predicted"], b["observed"]) for b in json.loads(calibration)]
    return markdown_table(["band", "rows", "mean predicted", "observed"], rows)


@multi_asset(
    specs=[
        AssetSpec(
            PROPENSITY,
            deps=[AssetKey(["marts", "fct_account_day_features"])],
            owners=OWNERS,
            description="Daily history of each account's calibrated probability to activate within its "
            "window and to be subscribed on day 90 (rolling-origin models, no leakage).",
        ),
        AssetSpec(
            TRAINING_RUNS,
            deps=[AssetKey(["marts", "fct_account_day_features"])],
            owners=OWNERS,
            description="Every model version: time-split validation AUC, Brier score, calibration table, "
            "features and coefficients; and the backtest over all scored days.",
        ),
    ],
    group_name="predict",
    compute_kind="scikit-learn",
)
def account_propensity(context: AssetExecutionContext, warehouse: WarehouseResource):
    """Train and score (orchestration/predict/propensity.py); the current models' and the
    backtest's AUC, Brier score and calibration as metadata."""
    with warehouse.connect() as con:
        result = propensity.run(con)
        metrics = propensity.current_metrics(con)
    trained = sum(run.status == "trained" for run in result.runs)
    yield MaterializeResult(
        asset_key=PROPENSITY,
        metadata={"rows": len(next(iter(result.probabilities.values()), [])), "versions_trained": trained},
    )
    metadata: dict = {"versions": len(result.runs), "versions_trained": trained}
    for target, version, status, auc, brier, base_rate, calibration in metrics:
        prefix = f"{target}_{'backtest' if version == 'backtest' else 'current'}"
        metadata[f"{prefix}_status"] = f"{version}: {status}"
        if auc is not None:
            metadata[f"{prefix}_auc"] = round(auc, 4)
        if brier is not None:
            metadata[f"{prefix}_brier"] = round(brier, 4)
            metadata[f"{prefix}_base_rate"] = round(base_rate, 4)
        metadata[f"{prefix}_calibration"] = MetadataValue.md(calibration_markdown(calibration))
    yield MaterializeResult(asset_key=TRAINING_RUNS, metadata=metadata)


predict_assets = [onboarding_dbt_predicted, survey_sentiment, account_propensity]
