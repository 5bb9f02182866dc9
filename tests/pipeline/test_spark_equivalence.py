"""The same models on DuckDB and on Spark give the same rows.

One small generated dataset (with the hand-written bad rows of every table) is
loaded once: the loader writes the DuckDB raw tables and their Parquet mirror,
which the Spark target reads. Seeds and every model are then built on each
engine (one dbt invocation per engine, both at once: Spark spends most of its
time on per-query overhead, not on the CPU), and every table-materialized
model and seed is compared row for row (tests/support/engine_equivalence.py states
the normalisation: type classes, floats to 6 decimal places). Views (the
stg_* models) are plain selections of the base_* tables compared here.

Needs Java 17 (dbt-spark's session method runs Spark in process, local mode).
"""

import datetime as dt
import json
import shutil
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest

from orchestration.checks import queries
from orchestration.transform.previews import kpi_preview
from orchestration.transform.spark_tables import publish_spark_tables, table_files
from tests.support.built_pipeline import inject_bad_rows
from tests.support.commands import (
    COMMAND_TIMEOUT_SECONDS,
    REPO_ROOT,
    VENV_BIN,
    generate_sample,
    load_landing,
    project_env,
)
from tests.support.engine_equivalence import compare_relations

# Small enough for Spark's per-query overhead to dominate, long enough (8 months)
# for every mart to have rows: the revenue marts look 6 months after sign-up.
ACCOUNTS, DAYS, ACTIVITY, SEED = 80, 240, 0.3, 5
BUILD = ["build", "--resource-type", "model", "--resource-type", "seed"]
TABLE_MATERIALIZATIONS = ("table", "incremental", "seed")


@dataclass
class Engines:
    warehouse: Path
    spark_dir: Path
    duckdb_manifest: dict
    spark_manifest: dict
    spark_target: Path
    seconds: dict


def _start_dbt(args: list[str], env: dict, log: Path) -> subprocess.Popen:
    with log.open("w") as output:  # the child keeps its own copy of the file
        return subprocess.Popen(
            [str(VENV_BIN / "dbt"), *args], cwd=REPO_ROOT, env=env, stdout=output, stderr=subprocess.STDOUT
        )


def _finish(process: subprocess.Popen, log: Path, engine: str) -> None:
    if process.wait(timeout=COMMAND_TIMEOUT_SECONDS) != 0:
        raise AssertionError(f"dbt build on {engine} exited {process.returncode}\n{log.read_text()[-6000:]}")


@pytest.fixture(scope="module")
def engines(tmp_path_factory) -> Engines:
    if shutil.which("java") is None:
        pytest.fail("Java 17 is needed for the Spark target (e.g. apt-get install openjdk-17-jre-headless)")
    root = tmp_path_factory.mktemp("engines")
    data_dir = generate_sample(root / "landing", ACCOUNTS, DAYS, SEED, "--activity", str(ACTIVITY))
    inject_bad_rows(data_dir)
    spark_dir = root / "spark"
    env = project_env(data_dir, root / "warehouse" / "onboarding.duckdb", ONBOARDING_SPARK_DIR=str(spark_dir))
    spark_env = {**env, "ONBOARDING_DBT_TARGET": "spark"}
    started = time.monotonic()
    load_landing(spark_env)  # the DuckDB raw tables and their Parquet mirror
    seconds = {"load": time.monotonic() - started}
    runs = {}
    for engine, engine_env in (("spark", spark_env), ("duckdb", env)):
        log = root / f"dbt-{engine}.log"
        target = root / f"target-{engine}"
        args = [*BUILD, "--target-path", str(target), "--log-path", str(root / f"logs-{engine}")]
        runs[engine] = (_start_dbt(args, engine_env, log), log, target, time.monotonic())
    manifests = {}
    for engine in ("duckdb", "spark"):  # the quicker one first, so that each time is its own
        process, log, target, start = runs[engine]
        _finish(process, log, engine)
        seconds[engine] = time.monotonic() - start
        manifests[engine] = json.loads((target / "manifest.json").read_text())
    print(f"equivalence build times (s): { {k: round(v, 1) for k, v in seconds.items()} }")
    return Engines(
        Path(env["ONBOARDING_WAREHOUSE"]),
        spark_dir,
        manifests["duckdb"],
        manifests["spark"],
        runs["spark"][2],
        seconds,
    )


def _compared_nodes(engines: Engines) -> list[dict]:
    """Seeds and models that are tables on both engines."""
    nodes = []
    for unique_id, node in engines.duckdb_manifest["nodes"].items():
        if node["resource_type"] not in ("model", "seed") or node["package_name"] != "onboarding":
            continue
        spark_node = engines.spark_manifest["nodes"][unique_id]
        materializations = {node["config"]["materialized"], spark_node["config"]["materialized"]}
        if materializations <= set(TABLE_MATERIALIZATIONS):
            nodes.append(node)
    return sorted(nodes, key=lambda n: (n["schema"], n["alias"]))


def test_every_table_model_and_seed_holds_the_same_rows_on_duckdb_and_spark(engines):
    nodes = _compared_nodes(engines)
    every_mart = {
        n["alias"]
        for n in engines.duckdb_manifest["nodes"].values()
        if n["resource_type"] == "model" and n["schema"] == "marts"
    }
    assert {n["alias"] for n in nodes if n["schema"] == "marts"} == every_mart
    problems, empty = [], []
    with duckdb.connect(str(engines.warehouse), read_only=True) as con:
        con.execute("set TimeZone = 'UTC'")
        for node in nodes:
            relation = f"{node['schema']}.{node['alias']}"
            if (
                node["schema"] == "marts"
                and con.execute(f"select count(*) from {relation}").fetchone()[0] == 0
            ):
                empty.append(relation)
            spark_relation = table_files(node["schema"], node["alias"], engines.spark_dir / "tables")
            problem = compare_relations(con, relation, relation, spark_relation)
            if problem:
                problems.append(problem)
    assert not problems, "DuckDB and Spark disagree:\n" + "\n".join(problems)
    # A mart without rows would compare equal without proving anything.
    assert not empty, f"marts without rows in the equivalence dataset (make it cover them): {empty}"


def test_the_incremental_and_account_level_models_use_each_engine_s_strategy(engines):
    base_events = "model.onboarding.base_events"
    duckdb_config = engines.duckdb_manifest["nodes"][base_events]["config"]
    spark_config = engines.spark_manifest["nodes"][base_events]["config"]
    assert duckdb_config["incremental_strategy"] == "replace_landing_dates"
    assert (spark_config["incremental_strategy"], spark_config["partition_by"]) == (
        "insert_overwrite",
        ["landing_date"],
    )
    assert any((engines.spark_dir / "tables" / "staging.db" / "base_events").glob("landing_date=*"))
    milestones = "model.onboarding.int_account_milestones"
    assert engines.duckdb_manifest["nodes"][milestones]["config"]["materialized"] == "incremental"
    assert engines.spark_manifest["nodes"][milestones]["config"]["materialized"] == "table"


def test_on_the_spark_target_the_python_readers_see_the_spark_tables(engines, monkeypatch, tmp_path):
    """Published as views of a DuckDB file (what Dagster does after a dbt build on Spark),
    the Spark tables give the drift checks and the KPI previews what the DuckDB build gives."""
    monkeypatch.setenv("ONBOARDING_SPARK_DIR", str(engines.spark_dir))
    views = tmp_path / "views.duckdb"
    with duckdb.connect(str(views)) as con:
        published = publish_spark_tables(con, engines.spark_target / "manifest.json")
    assert "staging.base_events" in published and "marts.kpi_activation_rate" in published
    first, last = dt.date(2025, 1, 1), dt.date(2027, 12, 31)
    readings = []
    for warehouse in (engines.warehouse, views):
        with duckdb.connect(str(warehouse), read_only=True) as con:
            readings.append(
                (
                    queries.daily_profiles(con, first, last),
                    queries.daily_event_mix(con, first, last),
                    kpi_preview(con, "kpi_funnel_steps"),
                )
            )
    assert len(readings[0][0]) > 200
    assert readings[1] == readings[0]


def test_the_comparison_names_the_model_the_column_and_example_rows(tmp_path):
    """The comparison itself, on planted tables: it must be able to fail."""
    con = duckdb.connect()
    con.execute(
        "create table duck as select * from (values "
        "(1, 'a', 0.12345650000001::double, 10.50::decimal(18, 2), timestamp '2026-01-01 10:00:00.123'), "
        "(2, 'b', 2.0, 1.00, timestamp '2026-01-02 10:00:00'), "
        "(3, null, null, null, null)) as t(id, label, ratio, money, seen_at)"
    )
    spark = tmp_path / "spark.parquet"

    def plant(sql: str) -> str:
        con.execute(f"copy ({sql}) to '{spark}' (format parquet)")
        return f"read_parquet('{spark}')"

    # Equal: a float on the other side of a rounding boundary, a wider decimal, BIGINT ids.
    same = plant(
        "select cast(id as bigint) as id, label,"
        " case when id = 1 then 0.12345649999999 else ratio end as ratio,"
        " cast(money as decimal(38, 2)) as money, seen_at from duck"
    )
    assert compare_relations(con, "m", "duck", same) is None

    changed = compare_relations(
        con,
        "marts.m",
        "duck",
        plant(
            "select * replace (ratio + 0.001 as ratio) from duck where id = 2"
            " union all select * from duck where id <> 2"
        ),
    )
    assert "marts.m: 1 of 3 rows only on DuckDB, 1 only on Spark; columns that differ: ratio" in changed
    assert "ratio: 2.0" in changed and "ratio: 2.001" in changed

    truncated = compare_relations(
        con, "m", "duck", plant("select * replace (date_trunc('second', seen_at) as seen_at) from duck")
    )
    assert "columns that differ: seen_at" in truncated

    extra = compare_relations(
        con, "m", "duck", plant("select * from duck union all select * from duck where id = 3")
    )
    assert "0 of 3 rows only on DuckDB, 1 only on Spark" in extra and "Spark only: {id: 3" in extra

    retyped = compare_relations(
        con, "m", "duck", plant("select * replace (cast(money as double) as money) from duck")
    )
    assert retyped == "m: column types differ: money (DECIMAL(18,2) on DuckDB, DOUBLE on Spark)"

    missing = compare_relations(con, "m", "duck", plant("select * exclude (label) from duck"))
    assert missing == "m: columns only on DuckDB ['label'], only on Spark []"
