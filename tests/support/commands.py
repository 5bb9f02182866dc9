"""Running the project's commands from a test: its environment pointed at test paths, dbt,
the `onboarding` command line, the sample generator."""

import os
import subprocess
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent.parent
VENV_BIN = Path(sys.executable).parent
ONBOARDING = str(VENV_BIN / "onboarding")
# A hung command fails its test instead of eating the whole CI budget. The longest (the
# Spark build) takes about 7 minutes under the suite's load, and went past 10 once when
# the three longest tests ran at the same time on two cores.
COMMAND_TIMEOUT_SECONDS = 1200


def project_env(data_dir: Path, warehouse: Path, **extra: str) -> dict[str, str]:
    """The environment a command of the project runs with, pointed at test paths."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("ONBOARDING_")}
    env.update(
        ONBOARDING_DATA_DIR=str(data_dir),
        ONBOARDING_WAREHOUSE=str(warehouse),
        ONBOARDING_TEMP_DIR=str(warehouse.parent / "tmp"),
        # dbt's partial parsing keeps to one profile: a command on another warehouse path
        # parses the whole project again (10 s). A target folder per warehouse keeps the
        # parse of each warehouse's last command (and Dagster's dbt runs copy it from there).
        DBT_TARGET_PATH=str(warehouse.parent / "target"),
        DBT_PROFILES_DIR=str(REPO_ROOT),
        DO_NOT_TRACK="1",
        **extra,
    )
    return env


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
    """`onboarding load` (what `make load` runs)."""
    return run_command([ONBOARDING, "load", *extra], env)


def generate_sample(out: Path, accounts: int, days: int, seed: int, *extra: str) -> Path:
    """`onboarding sample generate` into `out`."""
    command = [ONBOARDING, "sample", "generate", "--accounts", str(accounts), "--days", str(days)]
    command += ["--seed", str(seed), "--out", str(out), "--quiet", *extra]
    run_command(command, env=dict(os.environ))
    return out
