"""The Spark target's tables, readable from the DuckDB warehouse file.

On the Spark target dbt writes its tables into Spark's warehouse folder
(`<ONBOARDING_SPARK_DIR>/tables/<schema>.db/<table>/`, Parquet), not into the
DuckDB file. The Python parts of the project read the DuckDB file (drift
checks, alert outbox, KPI previews, serving snapshot, reports, demo summary),
so after every dbt build on Spark, publish_spark_tables() makes each model and
seed that dbt built as a table a view of the same name in the DuckDB file,
over the table's Parquet files (partition folders `key=value` become columns).
A view reads the files as they are when it is queried, so it follows later
builds. Spark views (the stg_* models) are Spark SQL and are not published.
"""

from __future__ import annotations

import json
from pathlib import Path

import click
import duckdb

from orchestration.lib import REPO_ROOT, connect_warehouse, spark_tables_dir, warehouse_path
from orchestration.sql import pattern_in, quote_identifier, quote_literal

TABLE_MATERIALIZATIONS = ("table", "incremental", "seed")


def built_tables(manifest: dict) -> list[tuple[str, str]]:
    """(schema, table) of every model and seed of the project materialized as a table."""
    project = manifest["metadata"]["project_name"]
    return sorted(
        (node["schema"], node["alias"])
        for node in manifest["nodes"].values()
        if node["resource_type"] in ("model", "seed")
        and node["package_name"] == project
        and node["config"]["materialized"] in TABLE_MATERIALIZATIONS
    )


def table_files(schema: str, table: str, tables_dir: Path | None = None) -> str:
    """A DuckDB relation over the Parquet files of the Spark table schema.table."""
    folder = (tables_dir or spark_tables_dir()) / f"{schema}.db" / table
    # A view keeps its SQL text, so the folder is a quoted literal (no parameters in a
    # view definition), escaped so that only the `**/*.parquet` tail is a pattern.
    return f"read_parquet({quote_literal(pattern_in(folder, '**/*.parquet'))}, hive_partitioning = true)"


def publish_spark_tables(con: duckdb.DuckDBPyConnection, manifest_path: Path) -> list[str]:
    """Create or replace a view per table dbt built on Spark (a table of the same name
    left by a DuckDB build is dropped first); the names published. Tables not built
    yet (no Parquet file) are skipped."""
    manifest = json.loads(manifest_path.read_text())
    existing = dict(
        con.execute(
            "select table_schema || '.' || table_name, table_type from information_schema.tables"
        ).fetchall()
    )
    published = []
    for schema, table in built_tables(manifest):
        folder = spark_tables_dir() / f"{schema}.db" / table
        if not any(folder.rglob("*.parquet")):
            continue
        name = quote_identifier(schema, table)
        con.execute(f"create schema if not exists {quote_identifier(schema)}")
        if existing.get(f"{schema}.{table}") == "BASE TABLE":
            con.execute(f"drop table {name}")
        con.execute(f"create or replace view {name} as select * from {table_files(schema, table)}")
        published.append(f"{schema}.{table}")
    return published


@click.command(name="spark-tables")
def spark_tables_command() -> None:
    """After a plain `dbt build` on Spark: make every table dbt built a view of the same name
    in the DuckDB warehouse file, for the Python readers (drift checks, outbox, serving)."""
    manifest = REPO_ROOT / "target" / "manifest.json"
    with connect_warehouse() as con:
        published = publish_spark_tables(con, manifest)
    click.echo(f"{len(published)} Spark tables readable as views from {warehouse_path()}")
