"""A dbt run that kills itself with SIGKILL at an exact point of its work (no timing),
for tests/pipeline/test_pipeline.py."""

import signal
import sys

from tests.support.commands import run_command

DBT_KILLED_IN_WRITE = """
import os, signal, sys
from dbt.adapters.duckdb.connections import DuckDBConnectionManager
from dbt.cli.main import dbtRunner

model, original = sys.argv[1], DuckDBConnectionManager.add_query

def killed(self, sql, *args, **kwargs):
    result = original(self, sql, *args, **kwargs)
    if "insert into" in sql and model in sql and "__dbt_tmp" in sql:
        os.kill(os.getpid(), signal.SIGKILL)  # rows deleted and inserted, not committed
    return result

DuckDBConnectionManager.add_query = killed
dbtRunner().invoke(["run", "-s", model])
"""


def run_dbt_killed_in_write(env: dict, model: str) -> None:
    """`dbt run -s <model>` killed (SIGKILL) right after the incremental model's
    delete+insert, before dbt commits (used by tests/pipeline/test_pipeline.py)."""
    killed = run_command([sys.executable, "-c", DBT_KILLED_IN_WRITE, model], env, check=False)
    assert killed.returncode == -signal.SIGKILL, killed.stdout[-3000:]
