"""Publish what BI, the semantic layer and the reports read, after a build outside Dagster.

    python -m orchestration.publish

Copies the served marts into a new serving snapshot (orchestration/serving.py), then
rewrites both reports from it, so that after `dbt build` and this command the snapshot,
the reports and `mf query` (target `serving`) all give the marts' figures. Dagster's build
jobs do the same through the assets serving/snapshot and reports/*; `make build` runs it.
"""

from __future__ import annotations

import argparse
import json
import sys
import uuid
from pathlib import Path

from orchestration.lib import DBT_PROJECT_DIR
from orchestration.reports.build import BUILDERS, write_report
from orchestration.serving import Snapshot, connect_serving, publish_snapshot, served_tables


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


def main(argv: list[str] | None = None) -> int:
    argparse.ArgumentParser(prog="python -m orchestration.publish", description=__doc__).parse_args(argv)
    snapshot, reports = publish()
    tables = len(snapshot.row_counts)
    print(f"serving snapshot {snapshot.snapshot_id}: {snapshot.serving_file} ({tables} tables)")
    for path in reports:
        print(f"report: {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
