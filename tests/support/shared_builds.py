"""Builds shared by every pytest-xdist worker of a session.

The first worker that asks for a build makes it; the others wait for it instead of making
their own. Each worker then works on its own copy of the warehouse file: dbt opens the
file read-write, which DuckDB allows one process at a time, and a test may write to it."""

import dataclasses
import fcntl
import os
import pickle
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest


def shared_build(factory: pytest.TempPathFactory, name: str, build: Callable[[Path], object]):
    """`build(root)` once per session, in a folder every worker sees; this worker's copy."""
    own_root = factory.getbasetemp()
    shared_root = own_root.parent if os.environ.get("PYTEST_XDIST_WORKER") else own_root
    root = shared_root / f"shared-{name}"
    with open(shared_root / f"shared-{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        record = shared_root / f"shared-{name}.pickle"
        if record.exists():
            made = pickle.loads(record.read_bytes())
        else:
            made = build(root)
            record.write_bytes(pickle.dumps(made))
    warehouse = factory.mktemp(name) / "warehouse" / made.warehouse.name
    warehouse.parent.mkdir(parents=True)
    shutil.copy(made.warehouse, warehouse)
    changes = {"warehouse": warehouse}
    if env := getattr(made, "env", None):
        env = {
            **env,
            "ONBOARDING_WAREHOUSE": str(warehouse),
            "ONBOARDING_TEMP_DIR": str(warehouse.parent / "tmp"),
            "DBT_TARGET_PATH": str(warehouse.parent / "target"),  # as project_env
        }
        if "DBT_LOG_PATH" in os.environ:  # this worker's own dbt log folder
            env["DBT_LOG_PATH"] = os.environ["DBT_LOG_PATH"]
        changes["env"] = env
    return dataclasses.replace(made, **changes)
