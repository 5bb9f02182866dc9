"""The Dagster UI as `make ui` starts it: a real webserver (with its daemon) on
127.0.0.1, queried through GraphQL, running a backfill of three partitions, and
its lineage page rendered by headless Chromium. The server is stopped with
SIGINT at the end, whether the tests passed or not."""

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from tests.support.browser import ARTIFACTS, CHROMIUM, chromium
from tests.support.commands import REPO_ROOT, generate_sample, load_landing, project_env, run_dbt

pytestmark = pytest.mark.slow

BACKFILL_PARTITIONS = ["2026-01-03", "2026-01-04", "2026-01-05"]
EVENT_ASSETS = [
    ["raw", "events"],
    ["staging", "base_events"],
    ["staging", "stg_events"],
    ["staging", "stg_quarantine"],
]
# What the event partitions read and the server does not build in this test: the
# seeds and the staging of the snapshot tables (the upstream dbt asset).
UPSTREAM = ["build", "--select", "resource_type:seed path:models/staging", "--exclude",
            "tag:landing_date_partitioned+", "--resource-type", "model", "seed"]  # fmt: skip


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def graphql(port: int, query: str, variables: dict | None = None) -> dict:
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/graphql",
        data=json.dumps({"query": query, "variables": variables or {}}).encode(),
        headers={"content-type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        body = json.load(response)
    assert "errors" not in body, body["errors"]
    return body["data"]


@dataclass
class Server:
    port: int
    log: Path
    process: subprocess.Popen
    backfill_id: str = ""

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def query(self, query: str, variables: dict | None = None) -> dict:
        assert self.process.poll() is None, self.log.read_text()[-3000:]
        return graphql(self.port, query, variables)


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("ui")
    home = tmp / "dagster_home"
    home.mkdir()
    # deploy/dagster.yaml as make ui uses it, with queued runs launched within a second.
    instance = yaml.safe_load((REPO_ROOT / "deploy" / "dagster.yaml").read_text())
    instance["run_coordinator"]["config"]["dequeue_interval_seconds"] = 1
    (home / "dagster.yaml").write_text(yaml.safe_dump(instance))
    data_dir = generate_sample(tmp / "landing", 30, 8, 3)
    env = project_env(data_dir, tmp / "warehouse" / "onboarding.duckdb")
    env = {k: v for k, v in env.items() if not k.startswith("DAGSTER_")}
    env.update(DAGSTER_HOME=str(home))
    port = free_port()
    log_path = tmp / "dagster-dev.log"
    log = open(log_path, "w")  # noqa: SIM115 - closed in finally
    process = subprocess.Popen(
        [str(Path(sys.executable).parent / "dagster"), "dev", "-h", "127.0.0.1", "-p", str(port)],
        cwd=REPO_ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        # Default signal handlers and an own process group, so SIGINT stops all of it.
        preexec_fn=lambda: (signal.signal(signal.SIGINT, signal.SIG_DFL), os.setpgrp()),
    )
    try:
        # While the server starts: load the landing zone and build what the event
        # partitions read (dbt, in its own process; it releases the warehouse when done).
        (tmp / "warehouse").mkdir()
        load_landing(env)
        run_dbt(UPSTREAM, env)
        deadline, answered = time.monotonic() + 240, False
        while time.monotonic() < deadline and not answered:
            assert process.poll() is None, log_path.read_text()[-3000:]
            try:
                answered = bool(graphql(port, "{ version }"))
            except OSError:
                time.sleep(1)
        assert answered, "the webserver did not answer within 4 minutes"
        running = Server(port, log_path, process)
        # Launched now, checked last: the daemon picks backfills up every 30 s.
        running.backfill_id = launch_backfill(running)
        yield running
    finally:
        os.killpg(process.pid, signal.SIGINT)
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            raise
        finally:
            log.close()


ASSETS = """
{ assetNodes { assetKey { path } groupName isPartitioned
    partitionKeysByDimension { partitionKeys }
    assetChecksOrError { ... on AssetChecks { checks { name description partitionDefinition { type } } } } } }
"""


def test_graphql_serves_every_layer_its_checks_and_partitions(server):
    location = server.query("{ workspaceOrError { ... on Workspace { locationEntries { loadStatus } } } }")
    assert [e["loadStatus"] for e in location["workspaceOrError"]["locationEntries"]] == ["LOADED"]

    nodes = {"/".join(n["assetKey"]["path"]): n for n in server.query(ASSETS)["assetNodes"]}
    assert {n["groupName"] for n in nodes.values()} == {
        "landing",
        "raw",
        "config",
        "staging",
        "intermediate",
        "marts",
        "predict",
        "serving",
        "reports",
        "alerts",
    }
    assert {"landing/events", "raw/events", "marts/kpi_activation_rate", "alerts/at_risk_outbox"} <= set(
        nodes
    )

    partitioned = {key for key, n in nodes.items() if n["isPartitioned"]}
    assert partitioned == {"landing/events", *("/".join(p) for p in EVENT_ASSETS)}
    keys = nodes["raw/events"]["partitionKeysByDimension"][0]["partitionKeys"]
    assert keys[:3] == ["2026-01-01", "2026-01-02", "2026-01-03"]  # daily, up to yesterday

    def checks(key):
        return {c["name"]: c for c in nodes[key]["assetChecksOrError"]["checks"]}

    assert checks("raw/events")["drift_schema"]["partitionDefinition"]["type"] == "TIME_WINDOW"
    assert {"drift_volume", "drift_event_mix", "drift_late_arrival"} <= set(checks("staging/base_events"))
    assert "unique_stg_events_event_id" in checks("staging/stg_events")
    assert "dbt_source_freshness" in checks("landing/events")
    # Every check says what it asserts (dbt tests too: dagster-dbt leaves theirs empty).
    undescribed = [(key, c["name"]) for key in nodes for c in checks(key).values() if not c["description"]]
    assert undescribed == []
    assert checks("staging/stg_events")["unique_stg_events_event_id"]["description"] == (
        "event_id is unique: one row per value."
    )


@pytest.mark.skipif(not Path(CHROMIUM).exists(), reason=f"{CHROMIUM} missing (make browser installs it)")
def test_the_lineage_page_renders_the_asset_names_in_chromium(server):
    # The first visit shows a pop-up over the graph; mark it as seen.
    server.query("mutation { setNuxSeen }")
    # The lineage of the staging layer: its assets, what they read and what reads them.
    # The graph draws only what is in view: a tall window holds the whole layer.
    page, size = server.url("/locations/onboarding/asset-groups/staging/lineage"), "2000,2400"
    ARTIFACTS.mkdir(exist_ok=True)
    screenshot = ARTIFACTS / "ui-lineage-staging.png"
    screenshot.unlink(missing_ok=True)
    shot = chromium(f"--screenshot={screenshot}", page, size=size)
    assert shot.returncode == 0, shot.stderr[-2000:]
    assert screenshot.stat().st_size > 10_000

    dom = chromium("--dump-dom", page, size=size)
    assert dom.returncode == 0, dom.stderr[-2000:]
    (ARTIFACTS / "ui-lineage-staging.html").write_text(dom.stdout)
    staging = [
        "base_events",
        "base_accounts",
        "base_subscriptions",
        "base_surveys",
        "stg_events",
        "stg_quarantine",
    ]
    missing = [name for name in staging if f">{name}<" not in dom.stdout]
    assert missing == [], f"not rendered on {page}"


LAUNCH = """
mutation($params: LaunchBackfillParams!) {
  launchPartitionBackfill(backfillParams: $params) {
    __typename
    ... on LaunchBackfillSuccess { backfillId }
    ... on PythonError { message }
  }
}
"""

BACKFILL = """
query($id: String!) {
  partitionBackfillOrError(backfillId: $id) {
    ... on PartitionBackfill { status runs(limit: 10) { runId status } }
    ... on PythonError { message }
  }
}
"""

FINISHED = {"SUCCESS", "FAILURE", "CANCELED"}


def launch_backfill(server: Server) -> str:
    """A backfill of three partitions of the event layers, through GraphQL."""
    params = {
        "partitionNames": BACKFILL_PARTITIONS,
        "assetSelection": [{"path": path} for path in EVENT_ASSETS],
        "title": "test_ui backfill",
    }
    launched = server.query(LAUNCH, {"params": params})["launchPartitionBackfill"]
    assert launched["__typename"] == "LaunchBackfillSuccess", launched
    return launched["backfillId"]


def finished_backfill(server: Server) -> dict:
    """The backfill once its run has finished (or after 5 minutes)."""
    # The daemon picks the backfill up (every 30 s) and launches its run; done when
    # the run has finished, or the backfill has (the daemon marks it on a later tick).
    deadline, backfill = time.monotonic() + 300, None
    while time.monotonic() < deadline:
        backfill = server.query(BACKFILL, {"id": server.backfill_id})["partitionBackfillOrError"]
        runs = backfill.get("runs") or []
        if backfill.get("status", "").startswith("COMPLETED") or backfill.get("status") == "FAILED":
            break
        if runs and all(run["status"] in FINISHED for run in runs):
            break
        time.sleep(2)
    return backfill


def test_a_backfill_of_three_partitions_is_one_run_that_succeeds(server):
    backfill = finished_backfill(server)
    assert backfill and backfill.get("runs"), f"no run within 5 minutes: {backfill}"
    assert [run["status"] for run in backfill["runs"]] == ["SUCCESS"], (
        backfill,
        server.log.read_text()[-3000:],
    )
    assert backfill["status"] in ("REQUESTED", "COMPLETED", "COMPLETED_SUCCESS")

    materialized = server.query(
        """{ assetNodeOrError(assetKey: {path: ["staging", "base_events"]}) {
               ... on AssetNode { materializedPartitions: partitionStats { numMaterialized } } } }"""
    )
    assert materialized["assetNodeOrError"]["materializedPartitions"]["numMaterialized"] == 3


EVENTS_AFTER_BACKFILL = """
{ assetNodeOrError(assetKey: {path: ["staging", "base_events"]}) { ... on AssetNode {
    assetMaterializations(limit: 1) { partition metadataEntries { label
        ... on TableSchemaMetadataEntry { schema { columns { name type description } } } } }
    assetChecksOrError { ... on AssetChecks { checks { name partitionStatuses {
        ... on AssetCheckTimePartitionStatuses { ranges { startKey endKey status } } } } } } } } }
"""


def test_after_the_backfill_dbt_assets_show_column_types_and_drift_checks_a_status_per_date(server):
    """The Columns table of a dbt asset shows each column's type (from its latest
    materialization), and each drift check's partitions show Passed or Failed for the dates
    the backfill evaluated, not Missing."""
    backfill = finished_backfill(server)
    assert [run["status"] for run in backfill["runs"]] == ["SUCCESS"], backfill
    node = server.query(EVENTS_AFTER_BACKFILL)["assetNodeOrError"]
    (materialization,) = node["assetMaterializations"]
    entries = materialization["metadataEntries"]
    (schema,) = [e["schema"] for e in entries if e["label"] == "dagster/column_schema"]
    columns = {c["name"]: c for c in schema["columns"]}
    assert {"event_id", "account_id", "occurred_at", "landing_date"} <= set(columns)
    assert [name for name, c in columns.items() if not c["type"]] == []
    assert columns["occurred_at"]["type"].startswith("TIMESTAMP"), columns["occurred_at"]
    assert columns["event_id"]["description"]

    checks = {c["name"]: c for c in node["assetChecksOrError"]["checks"]}
    for name in ("drift_volume", "drift_duplicates", "drift_event_mix"):
        ranges = checks[name]["partitionStatuses"]["ranges"]
        judged = [(r["startKey"], r["endKey"], r["status"]) for r in ranges]
        covered = {
            key for r in ranges if r["status"] in ("SUCCEEDED", "FAILED")
            for key in BACKFILL_PARTITIONS if r["startKey"] <= key <= r["endKey"]
        }  # fmt: skip
        assert covered == set(BACKFILL_PARTITIONS), (name, judged)


@pytest.mark.skipif(not Path(CHROMIUM).exists(), reason=f"{CHROMIUM} missing (make browser installs it)")
def test_the_drift_checks_page_renders_in_chromium(server):
    """Where docs/operators.md says to look: the asset's Checks tab, a drift check selected
    (screenshot test-artifacts/ui-drift-check.png; its per-date statuses are the GraphQL
    partitionStatuses asserted above, which this page draws)."""
    finished_backfill(server)
    server.query("mutation { setNuxSeen }")
    page = server.url("/assets/staging/base_events?view=checks&checkDetail=drift_volume")
    ARTIFACTS.mkdir(exist_ok=True)
    screenshot = ARTIFACTS / "ui-drift-check.png"
    screenshot.unlink(missing_ok=True)
    shot = chromium(f"--screenshot={screenshot}", page, size="1600,1200")
    assert shot.returncode == 0, shot.stderr[-2000:]
    assert screenshot.stat().st_size > 10_000
    dom = chromium("--dump-dom", page, size="1600,1200")
    assert dom.returncode == 0, dom.stderr[-2000:]
    (ARTIFACTS / "ui-drift-check.html").write_text(dom.stdout)
    assert "drift_volume" in dom.stdout and "drift_event_mix" in dom.stdout
    # The latest evaluation names the materialization it judged (what makes the partition
    # count as Passed/Failed rather than Missing), and the drift checks show Succeeded.
    assert "Target materialization" in dom.stdout and "Succeeded" in dom.stdout
