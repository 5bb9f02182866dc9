"""kill -9 at chosen points of the loader and of a dbt run: the next run recovers to what
an uninterrupted run gives. The process kills itself (SIGKILL, no clean-up of any
kind) from inside the step it is in, so the point is exact and no timing is involved.
(A dbt run killed while writing base_events: tests/pipeline/test_pipeline.py, on the shared
build; a publish killed before its renames: tests/pipeline/test_serving.py.)"""

import signal
import sys

import duckdb
import pytest

from orchestration.landing import load_contracts
from orchestration.sql import quote_identifier
from tests.support.commands import generate_sample, load_landing, project_env, run_command

pytestmark = pytest.mark.slow

LOADER_KILLED_AT = """
import os, signal, sys
import orchestration.landing.loader as loader
from orchestration.cli import cli

calls, original = [0], loader._insert_file

def killed(*args, **kwargs):
    calls[0] += 1
    result = original(*args, **kwargs)
    if calls[0] == int(sys.argv[1]):
        os.kill(os.getpid(), signal.SIGKILL)  # inside the partition's transaction, rows written
    return result

loader._insert_file = killed
cli(["load"], prog_name="onboarding")
"""


def _tables(warehouse, names: list[str], exclude: str) -> dict[str, list]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return {
            name: con.execute(
                f"select * exclude ({exclude}) from {name} order by all"  # names: the test's own
            ).fetchall()
            for name in names
        }


@pytest.fixture(scope="module")
def small_landing(tmp_path_factory):
    return generate_sample(tmp_path_factory.mktemp("recovery") / "landing", 20, 6, 2, "--format", "csv")


@pytest.mark.parametrize("kill_at", [1, 4, 9])
def test_a_load_killed_inside_a_partition_recovers_to_a_clean_load(tmp_path, small_landing, kill_at):
    raw = [quote_identifier("raw", name) for name in load_contracts()] + ["raw._load_log"]
    clean = tmp_path / "clean.duckdb"
    load_landing(project_env(small_landing, clean))

    killed = tmp_path / "killed.duckdb"
    env = project_env(small_landing, killed)
    result = run_command([sys.executable, "-c", LOADER_KILLED_AT, str(kill_at)], env, check=False)
    assert result.returncode == -signal.SIGKILL, result.stderr
    load_landing(env)  # the next run, as make load or Dagster would start it
    assert _tables(killed, raw[:-1], "_loaded_at") == _tables(clean, raw[:-1], "_loaded_at")
    assert _tables(killed, raw[-1:], "loaded_at") == _tables(clean, raw[-1:], "loaded_at")
