"""`onboarding`: the project's one command line (installed by `make install` into
.venv/bin; `onboarding --help` lists the commands, `onboarding COMMAND --help` each one).

Each concern keeps its own commands beside its logic; this module assembles them, as
orchestration/definitions.py assembles the Dagster definitions."""

import click

from onboarding_sample.commands import sample
from orchestration.alerts.outbox import alerts
from orchestration.landing.commands import load, partitions
from orchestration.predict.commands import predict
from orchestration.reports.commands import report
from orchestration.serving.publish import publish_command
from orchestration.serving.status_pages import status_pages_command
from orchestration.summary import summary
from orchestration.transform.console import run_command
from orchestration.transform.spark_tables import spark_tables_command


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def cli() -> None:
    """The onboarding metrics warehouse: load landing files, publish what BI reads, write
    reports, predict, send at-risk alerts, generate sample data. dbt builds the models (`dbt build`),
    Dagster orchestrates everything (`make ui`)."""


for command in (
    load,
    partitions,
    predict,
    publish_command,
    status_pages_command,
    report,
    alerts,
    summary,
    spark_tables_command,
    sample,
):
    cli.add_command(command)
cli.add_command(run_command)


def main() -> None:
    cli(prog_name="onboarding")
