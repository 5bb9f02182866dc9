"""Resources: the dbt project and CLI, and the warehouse file."""

from __future__ import annotations

import multiprocessing
import os
import sys
from contextlib import contextmanager
from functools import cached_property
from importlib.metadata import version as installed_version
from pathlib import Path

import duckdb
from dagster import ConfigurableResource
from dagster_dbt import DbtCliResource, DbtProject
from packaging.version import Version

from orchestration.lib import (
    DBT_PROFILES_DIR,
    DBT_PROJECT_DIR,
    connect_warehouse,
    dbt_target,
    repo_path,
    setting,
)

# dbt is installed next to this Python (the project's virtualenv). Put it on PATH,
# so that every dbt call works, including the one dagster-dbt makes to parse
# the project under `dagster dev`, even when the virtualenv is not activated.
_BIN = str(Path(sys.executable).parent)
if _BIN not in os.environ.get("PATH", "").split(os.pathsep):
    os.environ["PATH"] = os.pathsep.join([_BIN, os.environ.get("PATH", "")])

# The dbt target (profiles.yml) every dbt command of Dagster runs against:
# ONBOARDING_DBT_TARGET, `duckdb` (default), `spark` or another output. The same asset graph runs on
# either; the manifest is parsed for that target (materializations differ).
DBT_TARGET = dbt_target()
dbt_project = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROFILES_DIR, target=DBT_TARGET)
# A run's own process (spawned by the code server for every run under `dagster
# dev`, or `dagster api execute_run`) uses the manifest its code server parsed.
_RUN_WORKER = multiprocessing.parent_process() is not None or any(
    arg in ("execute_run", "execute_step") for arg in sys.argv[1:4]
)
# Under `dagster dev` the manifest is re-parsed on load; elsewhere (dagster
# asset list, tests, a fresh clone) parse once when it is missing.
if not _RUN_WORKER:
    dbt_project.prepare_if_dev()
if not dbt_project.manifest_path.exists():
    dbt_project.preparer.prepare(dbt_project)


class OnboardingDbtCli(DbtCliResource):
    """dagster-dbt's dbt CLI resource, minus one `dbt --version` subprocess per step.

    dagster-dbt asks the dbt executable for its version before every invocation
    (about 4 s here: dbt's start-up plus a PyPI lookup for a newer release). The
    dbt run here is dbt-core from this virtualenv, so its version is read from
    the installed package instead.
    """

    @cached_property
    def _cli_version(self) -> Version:
        return Version(installed_version("dbt-core"))


class WarehouseResource(ConfigurableResource):
    """The DuckDB warehouse file. Empty path = ONBOARDING_WAREHOUSE (or its default)."""

    path: str = ""

    @contextmanager
    def connect(self, read_only: bool = False):
        path = repo_path(self.path) if self.path else repo_path(setting("ONBOARDING_WAREHOUSE"))
        con: duckdb.DuckDBPyConnection = connect_warehouse(path, read_only=read_only)
        try:
            yield con
        finally:
            con.close()


def build_resources() -> dict:
    return {
        "dbt": OnboardingDbtCli(project_dir=dbt_project, target=DBT_TARGET),
        "warehouse": WarehouseResource(),
    }
