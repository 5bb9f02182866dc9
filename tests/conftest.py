"""Shared fixtures: the session's shared builds, isolated settings, the order of the files.

Tests come in two tiers: tests/fast (pure Python, parse-level checks, the loader, the
generator, dbt's unit tests: `make test-fast`) and tests/pipeline (dbt, Dagster, Spark
and the browser on shared builds). Their helpers are in tests/support."""

import os

import pytest

from tests.support.commands import REPO_ROOT
from tests.support.shared_builds import shared_build

# Under pytest-xdist, each worker's dbt commands write their own target and log folders:
# two dbt processes must not write one project's target/ at once.
if worker := os.environ.get("PYTEST_XDIST_WORKER"):
    os.environ["DBT_TARGET_PATH"] = str(REPO_ROOT / "target" / f"pytest-{worker}")
    os.environ["DBT_LOG_PATH"] = str(REPO_ROOT / "logs" / f"pytest-{worker}")


def pytest_xdist_make_scheduler(config, log):
    """Test files to the workers longest first (tests/support/scheduling.py)."""
    if config.getvalue("dist") == "loadfile":
        from tests.support.scheduling import LongestFirstScheduling

        return LongestFirstScheduling(config, log)
    return None


@pytest.fixture(autouse=True)
def _isolated_settings(monkeypatch):
    """No test reads the developer's own ONBOARDING_* settings."""
    for name in list(os.environ):
        if name.startswith("ONBOARDING_"):
            monkeypatch.delenv(name)


@pytest.fixture(scope="session")
def built(tmp_path_factory):
    """The sample pipeline, built once for every test that reads it (each worker its copy)."""
    from tests.support.built_pipeline import build_pipeline

    return shared_build(tmp_path_factory, "pipeline", build_pipeline)


@pytest.fixture(scope="session")
def outcomes(tmp_path_factory):
    """A generated year and more with the outcome marts, built once (tests/support/outcomes_pipeline.py)."""
    from tests.support.outcomes_pipeline import build_outcomes

    return shared_build(tmp_path_factory, "outcomes", build_outcomes)
