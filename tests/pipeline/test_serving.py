"""The serving snapshot, published from the session's built warehouse: every served
table with its snapshot id and row count, the same in DuckDB and Parquet, readable
through SQLAlchemy's inspector (duckdb_engine) with every description, type and grain,
the BI starter's tiles (bi/dashboards.yml) running on it and drawn as dashboards in
Chromium, a failed publish that changes nothing, and a publish killed half-way whose
leftovers the next one removes.
(Readers during a real pipeline run: tests/pipeline/test_dagster.py.)"""

import json
import os
import re
import signal
import sys
from pathlib import Path

import duckdb
import pytest
import sqlalchemy
import yaml

from orchestration.serving.assets import SERVED
from orchestration.serving.dashboards import render_dashboards
from orchestration.serving.snapshot import (
    SNAPSHOT_TABLE,
    SNAPSHOT_TABLE_DOCS,
    TableDocs,
    parquet_current,
    project_docs,
    publish_snapshot,
    serving_file,
)
from tests.support.browser import ARTIFACTS, CHROMIUM, chromium
from tests.support.commands import REPO_ROOT, run_command
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


def test_bi_tools_connect_through_sqlalchemy_and_see_every_description_type_and_key(serving):
    """What a BI tool's schema browser does first (Superset, Metabase-style tools): list the
    schemas, then the tables of `main` through SQLAlchemy's inspector, then each table's
    comment, columns (types, comments), primary key and foreign keys. Every description
    comes from the dbt project; the tested grains are primary keys in DuckDB's catalog."""
    directory, snapshot = serving
    docs = project_docs(SERVED)
    url = f"duckdb:///{serving_file(directory)}"
    engine = sqlalchemy.create_engine(url, connect_args={"read_only": True})
    try:
        with engine.connect() as con:
            inspector = sqlalchemy.inspect(con)
            schemas = inspector.get_schema_names()
            tables = set(inspector.get_table_names(schema="main"))
            reflected = {
                table: (
                    inspector.get_table_comment(table, schema="main")["text"],
                    inspector.get_columns(table, schema="main"),
                    # Both answer without error (SQLAlchemy 2.0.55+ raises); DuckDB's
                    # pg_catalog has no pg_index rows, so the key itself is read below.
                    inspector.get_pk_constraint(table, schema="main"),
                    inspector.get_foreign_keys(table, schema="main"),
                )
                for table in sorted(tables)
            }
            (accounts,) = con.execute(
                sqlalchemy.text("select sum(signed_up_accounts) from kpi_activation_rate")
            ).one()
            keys = {
                table: tuple(columns)
                for table, columns in con.execute(
                    sqlalchemy.text(
                        "select table_name, constraint_column_names from duckdb_constraints() "
                        "where schema_name = 'main' and constraint_type = 'PRIMARY KEY'"
                    )
                ).fetchall()
            }
    finally:
        engine.dispose()
    assert any(schema.endswith(".main") or schema == "main" for schema in schemas), schemas
    assert {table for _, table in SERVED} | {SNAPSHOT_TABLE} == tables
    assert accounts == snapshot.row_counts["fct_account_onboarding"]
    for table, (comment, columns, primary_key, foreign_keys) in reflected.items():
        expected = docs.get(table) or TableDocs(SNAPSHOT_TABLE_DOCS[0], SNAPSHOT_TABLE_DOCS[1])
        assert comment == expected.description and comment, table
        names = [c["name"] for c in columns]
        assert len(names) == len(set(names)), table
        undocumented = [c["name"] for c in columns if not c["comment"]]
        assert undocumented == [], f"{table}: columns without a description {undocumented}"
        for column in columns:
            if column["name"] != "snapshot_id":
                assert column["comment"] == expected.columns[column["name"]], (table, column["name"])
            # A type SQLAlchemy knows (NullType: a type it could not map; BI shows no type).
            assert not isinstance(column["type"], sqlalchemy.types.NullType), (table, column)
        assert "constrained_columns" in primary_key and foreign_keys == [], table
        assert keys.get(table, ()) == expected.primary_key, table
    # Grains as primary keys, where dbt tests them (unique + not_null).
    grain = ("signup_week", "signup_month", "segment", "plan", "acquisition_channel")
    assert keys["kpi_activation_rate"] == grain
    assert keys["fct_account_onboarding"] == ("account_id",)
    types = {c["name"]: c["type"] for c in reflected["kpi_activation_rate"][1]}
    assert isinstance(types["activation_rate"], sqlalchemy.types.Float | sqlalchemy.types.Numeric)
    assert isinstance(types["signup_month"], sqlalchemy.types.Date)


def test_the_parquet_files_carry_the_same_descriptions(serving):
    directory, _ = serving
    docs = project_docs(SERVED)
    folder = parquet_current(directory)
    with duckdb.connect() as con:
        for table, expected in docs.items():
            rows = con.execute(
                "select decode(key), decode(value) from parquet_kv_metadata(?)",
                [str(folder / f"{table}.parquet")],
            ).fetchall()
            metadata = dict(rows)
            assert metadata["description"] == expected.description, table
            columns = json.loads(metadata["column_descriptions"])
            path = str(folder / f"{table}.parquet")
            names = [r[0] for r in con.execute("describe select * from read_parquet(?)", [path]).fetchall()]
            assert set(columns) == set(names), table  # every column described
            documented = {name: text for name, text in expected.columns.items() if name in names}
            described = {name: text for name, text in columns.items() if name != "snapshot_id"}
            assert described == documented, table


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


def test_every_tile_of_the_bi_starter_runs_on_the_snapshot_with_its_chart_fields(serving):
    """bi/dashboards.yml, as a BI tool would run it: each tile's SQL through SQLAlchemy on the
    published snapshot gives rows with the fields its chart names."""
    directory, _ = serving
    dashboards = yaml.safe_load((REPO_ROOT / "bi" / "dashboards.yml").read_text())["dashboards"]
    tiles = [tile for dashboard in dashboards for tile in dashboard["tiles"]]
    assert len(tiles) >= 10 and len({t["name"] for t in tiles}) == len(tiles)
    url = f"duckdb:///{serving_file(directory)}"
    engine = sqlalchemy.create_engine(url, connect_args={"read_only": True})
    try:
        with engine.connect() as con:
            for tile in tiles:
                result = con.execute(sqlalchemy.text(tile["sql"]))
                columns, rows = list(result.keys()), result.fetchall()
                fields = [tile["x"], *([tile["y"]] if isinstance(tile["y"], str) else tile["y"])]
                fields += [tile["series"]] if "series" in tile else []
                assert set(fields) <= set(columns), (tile["name"], columns)
                assert rows, tile["name"]
                assert tile["chart"] in {"line", "bar", "funnel", "table"}, tile["name"]
    finally:
        engine.dispose()


# What each kind of tile draws (matplotlib's ids: orchestration/reports/charts.py).
CHART_MARKS = {
    "line": 'id="chart-line-',
    "bar": 'id="chart-bar-',
    "funnel": 'id="chart-funnel-',
    "table": "<td>",
}


def test_the_bi_starter_dashboards_render_on_the_snapshot_in_chromium(serving):
    """`onboarding dashboards` (run by make build; the Dagster asset serving/dashboards): each
    dashboard of bi/dashboards.yml drawn on the published snapshot, opened in headless
    Chromium: every tile drawn as its `chart` says (matplotlib's marks, or a table's cells),
    the snapshot named, nothing fetched. Screenshots: test-artifacts/dashboard-<name>.png."""
    directory, _ = serving
    dashboards = yaml.safe_load((REPO_ROOT / "bi" / "dashboards.yml").read_text())["dashboards"]
    pages = render_dashboards(directory)
    with duckdb.connect(str(serving_file(directory)), read_only=True) as con:
        snapshot_id = read_duckdb(con)  # the module's other tests publish again
    assert [page.name for page in pages] == [f"{d['name']}.html" for d in dashboards]
    for page in pages:
        html = page.read_text()
        assert "<script" not in html.lower()
        assert re.findall(r"""(?:src|href)\s*=\s*["']?(?:https?:)?//""", html, flags=re.I) == []
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} missing (make browser installs it)")
    ARTIFACTS.mkdir(exist_ok=True)
    for page, dashboard in zip(pages, dashboards, strict=True):
        dom = chromium("--dump-dom", page.as_uri()).stdout
        assert snapshot_id in dom
        for tile in dashboard["tiles"]:
            found = re.search(rf'<section class="tile" id="{tile["name"]}">(.*?)</section>', dom, re.S)
            assert found, tile["name"]
            assert CHART_MARKS[tile["chart"]] in found.group(1), tile["name"]
            assert "No rows in this snapshot" not in found.group(1), tile["name"]
        shot = ARTIFACTS / f"dashboard-{dashboard['name']}.png"
        shot.unlink(missing_ok=True)
        assert chromium(f"--screenshot={shot}", page.as_uri(), size="1100,3000").returncode == 0
        assert shot.stat().st_size > 20_000
