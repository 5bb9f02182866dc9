"""Publish what BI, the semantic layer and the reports read, after a build outside Dagster:
`onboarding publish`.

Copies the served marts into a new serving snapshot (orchestration/serving.py), then
rewrites both reports from it, so that after `dbt build` and this command the snapshot,
the reports and `mf query` (target `serving`) all give the marts' figures. Dagster's build
jobs do the same through the assets serving/snapshot and reports/*; `make build` runs it.
"""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import click

from orchestration.lib import DBT_PROJECT_DIR
from orchestration.reports.build import BUILDERS, write_report
from orchestration.serving.snapshot import Snapshot, connect_serving, publish_snapshot, served_tables


def publish(run_id: str | None = None, manifest: Path | None = None) -> tuple[Snapshot, list[Path]]:
    """A new snapshot of the served tables, then both reports from it (latest files)."""
    manifest = manifest or DBT_PROJECT_DIR / "target" / "manifest.json"
    tables = served_tables(json.loads(manifest.read_text()))
    snapshot = publish_snapshot(tables, run_id or f"cli-{uuid.uuid4().hex[:12]}")
    written = []
    with connect_serving(snapshot.serving_file) as con:
        reports = [BUILDERS[kind](con) for kind in sorted(BUILDERS)]
    for report in reports:
        written.append(write_report(report)[1])
    return snapshot, written


@click.command(name="publish")
def publish_command() -> None:
    """Publish the serving snapshot (what BI and `mf query` read), then rewrite both reports
    from it: after a plain `dbt build`, they all show the marts' figures."""
    snapshot, reports = publish()
    click.echo(
        f"serving snapshot {snapshot.snapshot_id}: {snapshot.serving_file} "
        f"({len(snapshot.row_counts)} tables)"
    )
    for path in reports:
        click.echo(f"report: {path}")
