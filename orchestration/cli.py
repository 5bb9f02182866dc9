"""`onboarding`: the project's one command line (installed by `make install` into
.venv/bin; `onboarding --help` lists the commands, `onboarding COMMAND --help` each one).

Each concern keeps its own commands beside its logic; this module assembles them, as
orchestration/definitions.py assembles the Dagster definitions. A command's module is
imported when the command runs (click's lazily loaded subcommands): `onboarding load`
does not pay for the reports' plotting library, nor `onboarding sample` for Dagster."""

import importlib

import click

# Command name -> "module:attribute" of its click command.
COMMANDS = {
    "load": "orchestration.landing.commands:load",
    "partitions": "orchestration.landing.commands:partitions",
    "predict": "orchestration.predict.commands:predict",
    "publish": "orchestration.serving.publish:publish_command",
    "status-pages": "orchestration.serving.status_pages:status_pages_command",
    "dashboards": "orchestration.serving.dashboards:dashboards_command",
    "report": "orchestration.reports.commands:report",
    "alerts": "orchestration.alerts.outbox:alerts",
    "summary": "orchestration.summary:summary",
    "spark-tables": "orchestration.transform.spark_tables:spark_tables_command",
    "sample": "onboarding_sample.commands:sample",
    "run": "orchestration.transform.console:run_command",
}


class LazyGroup(click.Group):
    """A group whose subcommands are imported by name, when asked for."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in COMMANDS:
            return None
        module, attribute = COMMANDS[cmd_name].split(":")
        command = getattr(importlib.import_module(module), attribute)
        if command.name != cmd_name:
            raise RuntimeError(f"{COMMANDS[cmd_name]} is the command {command.name!r}, not {cmd_name!r}")
        return command


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
def cli() -> None:
    """The onboarding metrics warehouse: load landing files, publish what BI reads, write
    reports, predict, send at-risk alerts, generate sample data. dbt builds the models (`dbt build`),
    Dagster orchestrates everything (`make ui`)."""


def main() -> None:
    cli(prog_name="onboarding")
