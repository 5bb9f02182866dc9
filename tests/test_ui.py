"""The Dagster UI as `make ui` starts it: a real webserver, queried through GraphQL."""

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.conftest import REPO_ROOT

pytestmark = pytest.mark.slow


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def graphql(port: int, query: str) -> dict:
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/graphql",
        data=json.dumps({"query": query}).encode(),
        headers={"content-type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.load(response)["data"]


def test_dagster_dev_serves_every_layer_on_localhost_and_stops_cleanly(tmp_path):
    home = tmp_path / "dagster_home"
    home.mkdir()
    (home / "dagster.yaml").write_text((REPO_ROOT / "deploy" / "dagster.yaml").read_text())
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DAGSTER_", "ONBOARDING_"))}
    env.update(DAGSTER_HOME=str(home), ONBOARDING_WAREHOUSE=str(tmp_path / "w.duckdb"))
    port = free_port()
    log = open(tmp_path / "dagster-dev.log", "w")  # noqa: SIM115 - closed in finally
    server = subprocess.Popen(
        [str(Path(sys.executable).parent / "dagster"), "dev", "-h", "127.0.0.1", "-p", str(port)],
        cwd=REPO_ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        # Default signal handlers and an own process group, so SIGINT stops all of it.
        preexec_fn=lambda: (signal.signal(signal.SIGINT, signal.SIG_DFL), os.setpgrp()),
    )
    try:
        deadline, nodes = time.monotonic() + 180, None
        while time.monotonic() < deadline and nodes is None:
            assert server.poll() is None, (tmp_path / "dagster-dev.log").read_text()[-3000:]
            try:
                nodes = graphql(port, "{ assetNodes { assetKey { path } groupName } }")["assetNodes"]
            except OSError:
                time.sleep(2)
        assert nodes, "the webserver did not answer within 3 minutes"
        groups = {node["groupName"] for node in nodes}
        assert groups == {"landing", "raw", "config", "staging", "intermediate", "marts"}
        keys = {"/".join(node["assetKey"]["path"]) for node in nodes}
        assert {"landing/events", "raw/events", "marts/kpi_activation_rate"} <= keys
        location = graphql(
            port, "{ workspaceOrError { ... on Workspace { locationEntries { loadStatus } } } }"
        )
        assert [e["loadStatus"] for e in location["workspaceOrError"]["locationEntries"]] == ["LOADED"]
    finally:
        os.killpg(server.pid, signal.SIGINT)
        try:
            server.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            raise
        finally:
            log.close()
