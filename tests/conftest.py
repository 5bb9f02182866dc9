"""Shared fixtures: isolated landing zones and warehouses, and a dbt runner."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent

# Under pytest-xdist, each worker's dbt commands write their own target and log folders:
# two dbt processes must not write one project's target/ at once.
if worker := os.environ.get("PYTEST_XDIST_WORKER"):
    os.environ["DBT_TARGET_PATH"] = str(REPO_ROOT / "target" / f"pytest-{worker}")
    os.environ["DBT_LOG_PATH"] = str(REPO_ROOT / "logs" / f"pytest-{worker}")


def project_env(data_dir: Path, warehouse: Path, **extra: str) -> dict[str, str]:
    """The environment a command of the project runs with, pointed at test paths."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("ONBOARDING_")}
    env.update(
        ONBOARDING_DATA_DIR=str(data_dir),
        ONBOARDING_WAREHOUSE=str(warehouse),
        ONBOARDING_TEMP_DIR=str(warehouse.parent / "tmp"),
        DBT_PROFILES_DIR=str(REPO_ROOT / "profiles"),
        DO_NOT_TRACK="1",
        **extra,
    )
    return env


# No command of a test takes near this long here; a hung one fails the test instead of
# eating the whole CI budget.
COMMAND_TIMEOUT_SECONDS = 600


def run_command(args: list[str], env: dict[str, str], check: bool = True) -> subprocess.CompletedProcess:
    result = subprocess.run(
        args, cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=COMMAND_TIMEOUT_SECONDS
    )
    if check and result.returncode != 0:
        raise AssertionError(
            f"{' '.join(args)} exited {result.returncode}\n--- stdout\n{result.stdout[-6000:]}"
            f"\n--- stderr\n{result.stderr[-3000:]}"
        )
    return result


def run_dbt(args: list[str], env: dict[str, str], check: bool = True) -> subprocess.CompletedProcess:
    return run_command([str(VENV_BIN / "dbt"), *args], env, check)


def load_landing(env: dict[str, str], *extra: str) -> subprocess.CompletedProcess:
    return run_command([sys.executable, "-m", "orchestration.landing", "load", *extra], env)


# The longest test files first: pytest-xdist hands out files in this order, so the long
# ones do not start last on one worker while the other sits idle.
LONGEST_FIRST = [
    "test_rebuild_equivalence.py",
    "test_spark_equivalence.py",
    "test_dagster.py",
    "test_ui.py",
]


def pytest_collection_modifyitems(items):
    def rank(item) -> int:
        name = item.path.name
        return LONGEST_FIRST.index(name) if name in LONGEST_FIRST else len(LONGEST_FIRST)

    items.sort(key=rank)


@pytest.fixture(autouse=True)
def _isolated_settings(monkeypatch):
    """No test reads the developer's own ONBOARDING_* settings."""
    for name in list(os.environ):
        if name.startswith("ONBOARDING_"):
            monkeypatch.delenv(name)


def generate_sample(out: Path, accounts: int, days: int, seed: int, *extra: str) -> Path:
    """Run the sample generator CLI into `out`."""
    run_command(
        [
            sys.executable,
            "-m",
            "orchestration.sample",
            "generate",
            "--accounts",
            str(accounts),
            "--days",
            str(days),
            "--seed",
            str(seed),
            "--out",
            str(out),
            "--quiet",
            *extra,
        ],
        env=dict(os.environ),
    )
    return out


@pytest.fixture(scope="session")
def built(tmp_path_factory):
    """The sample pipeline, built once for every test that reads it."""
    from tests.built_pipeline import build_pipeline

    return build_pipeline(tmp_path_factory.mktemp("pipeline"))


@pytest.fixture(scope="session")
def outcomes(tmp_path_factory):
    """A generated year and more with the outcome marts, built once (tests/outcomes_pipeline.py)."""
    from tests.outcomes_pipeline import build_outcomes

    return build_outcomes(tmp_path_factory.mktemp("outcomes"))
