"""`onboarding report weekly|monthly`: a report from the current serving snapshot."""

from pathlib import Path

import click

from orchestration import settings
from orchestration.reports.build import BUILDERS, write_report
from orchestration.serving.snapshot import connect_serving


@click.command(name="report")
@click.argument("kind", type=click.Choice(sorted(BUILDERS)))
@click.option("--out", type=click.Path(path_type=Path), help="Folder (default: ONBOARDING_REPORTS_DIR).")
def report(kind: str, out: Path | None) -> None:
    """Write the weekly or monthly report from the current serving snapshot
    (ONBOARDING_SERVING_DIR), under its period's name and as the latest one."""
    if settings.command_line_check():
        raise SystemExit(2)
    with connect_serving() as con:
        built = BUILDERS[kind](con)
    dated, latest = write_report(built, out)
    click.echo(f"{kind} report, {built.period.label}: {dated} (latest: {latest})")
