"""The serving snapshot, published from the session's built warehouse: every served
table with its snapshot id and row count, the same in DuckDB and Parquet, readable
through SQLAlchemy (duckdb_engine), a failed publish that changes nothing, and a
publish killed half-way whose leftovers the next one removes.
(Readers during a real pipeline run: tests/pipeline/test_dagster.py.)"""

import os
import signal
import sys

import duckdb
import pytest
import sqlalchemy

from orchestration.serving.assets import SERVED
from orchestration.serving.snapshot import SNAPSHOT_TABLE, parquet_current, publish_snapshot, serving_file
from tests.support.commands import run_command
from tests.support.serving_reader import read_duckdb, read_parquet

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def serving(built, tmp_path_factory):
    directory = tmp_path_factory.mktemp("serving")
    snapshot = publish_snapshot(SERVED, "run-1", warehouse=built.warehouse, directory=directory)
    return directory, snapshot


def test_the_snapshot_serves_every_kpi_mart_with_its_row_count(serving, built):
    directory, snapshot = serving
    served = {table for _, table in SERVED}
    assert {"kpi_activation_rate", "kpi_time_to_first_value", "dim_experiment_variants"} <= served
    assert {"fct_account_onboarding", "metric_targets"} <= served
    with duckdb.connect(str(serving_file(directory)), read_only=True) as con:
        assert read_duckdb(con) == snapshot.snapshot_id
        rows = dict(con.execute(f"select table_name, row_count from {SNAPSHOT_TABLE}").fetchall())
        (run_id,) = con.execute(f"select distinct run_id from {SNAPSHOT_TABLE}").fetchone()
    assert run_id == "run-1"
    assert rows == snapshot.row_counts and set(rows) == served
    # The row counts are the warehouse's.
    for schema, table in SERVED:
        assert rows[table] == built.query(f"select count(*) from {schema}.{table}")[0][0], table
    assert rows["kpi_activation_rate"] > 0
    assert read_parquet(directory) == snapshot.snapshot_id


def test_bi_tools_connect_through_sqlalchemy(serving):
    directory, snapshot = serving
    url = f"duckdb:///{serving_file(directory)}"
    engine = sqlalchemy.create_engine(url, connect_args={"read_only": True})
    try:
        with engine.connect() as con:
            tables = set(sqlalchemy.inspect(con).get_table_names())
            (accounts,) = con.execute(
                sqlalchemy.text("select sum(signed_up_accounts) from kpi_activation_rate")
            ).one()
    finally:
        engine.dispose()
    assert {"kpi_activation_rate", SNAPSHOT_TABLE} <= tables
    assert accounts == snapshot.row_counts["fct_account_onboarding"]


def test_a_failed_publish_leaves_the_previous_snapshot_in_place(serving, built):
    directory, snapshot = serving
    inode = os.stat(serving_file(directory)).st_ino
    current = os.path.realpath(parquet_current(directory))
    # A table missing from the warehouse fails the copy half-way through.
    broken = [*SERVED[:3], ("marts", "kpi_that_does_not_exist"), *SERVED[3:]]
    with pytest.raises(duckdb.CatalogException, match="kpi_that_does_not_exist"):
        publish_snapshot(broken, "run-2", warehouse=built.warehouse, directory=directory)
    assert os.stat(serving_file(directory)).st_ino == inode
    assert os.path.realpath(parquet_current(directory)) == current
    with duckdb.connect(str(serving_file(directory)), read_only=True) as con:
        assert read_duckdb(con) == snapshot.snapshot_id
    leftovers = [p for p in [*directory.iterdir(), *(directory / "parquet").iterdir()] if p.name[0] == "."]
    assert leftovers == []


PUBLISH_KILLED_AT_FIRST_RENAME = """
import os, signal, sys
from pathlib import Path
import orchestration.serving.snapshot as serving
from orchestration.serving.assets import SERVED

def killed(*args):
    os.kill(os.getpid(), signal.SIGKILL)  # every table copied, nothing renamed yet

serving.os.replace = killed
serving.publish_snapshot(SERVED, "killed-run", warehouse=Path(sys.argv[1]), directory=Path(sys.argv[2]))
"""


def test_a_publish_killed_before_its_renames_changes_nothing_and_the_next_one_cleans_up(serving, built):
    """kill -9 of a publish once its temporary files are written: readers keep the snapshot
    they had; the next publish removes what the killed one left and publishes."""
    directory, _ = serving
    inode = os.stat(serving_file(directory)).st_ino
    current = os.path.realpath(parquet_current(directory))
    killed = run_command(
        [sys.executable, "-c", PUBLISH_KILLED_AT_FIRST_RENAME, str(built.warehouse), str(directory)],
        dict(os.environ),
        check=False,
    )
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    leftovers = {
        p.name for p in [*directory.iterdir(), *(directory / "parquet").iterdir()] if p.name[0] == "."
    }
    assert any(name.endswith(".tmp") for name in leftovers), leftovers
    assert os.stat(serving_file(directory)).st_ino == inode
    assert os.path.realpath(parquet_current(directory)) == current

    after = publish_snapshot(SERVED, "run-3", warehouse=built.warehouse, directory=directory)
    assert [p for p in [*directory.iterdir(), *(directory / "parquet").iterdir()] if p.name[0] == "."] == []
    with duckdb.connect(str(serving_file(directory)), read_only=True) as con:
        assert read_duckdb(con) == after.snapshot_id
