"""`onboarding predict`: what the Dagster assets of the predict group do, for plain-dbt
users (`make build` runs it between two dbt builds: `dbt build --exclude "source:predict+"`,
then this, then `dbt build -s "source:predict+"`)."""

import time

import click

from orchestration import settings
from orchestration.lib import connect_warehouse, warehouse_path


@click.command(name="predict")
def predict() -> None:
    """Score the survey comments (sentiment, friction themes) and train and score the
    propensity models, writing schema `predict` of the warehouse. Then
    `dbt build -s "source:predict+"` rebuilds the models that read it."""
    if settings.command_line_check():
        raise SystemExit(2)
    if not warehouse_path().exists():
        raise click.ClickException(f"No warehouse at {warehouse_path()}: build it first (make build).")
    from orchestration.predict import propensity, sentiment

    started = time.perf_counter()
    with connect_warehouse() as con:
        scored, themes = sentiment.run(con)
        result = propensity.run(con)
        metrics = propensity.current_metrics(con)
    click.echo(f"sentiment: {scored} comments scored, {len(themes)} friction themes")
    trained = sum(r.status == "trained" for r in result.runs)
    click.echo(f"propensity: {trained} of {len(result.runs)} versions trained")
    for target, version, status, auc, brier, _, _ in metrics:
        figures = f"AUC {auc:.3f}, Brier {brier:.3f}" if auc is not None else status
        click.echo(f"  {target:<20} {version:<10} {figures}")
    click.echo(f"prediction step: {time.perf_counter() - started:.1f} s")
