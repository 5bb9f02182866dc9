"""The serving snapshot: what BI tools read, published apart from the warehouse.

DuckDB lets no other process open a file while a writer holds it, and a reader
holding the warehouse makes the next dbt run fail. So BI never reads the
warehouse: after the marts are built, `publish_snapshot` copies the KPI marts,
the dimensions and the account facts BI needs into

    <ONBOARDING_SERVING_DIR>/onboarding_serving.duckdb     one DuckDB file
    <ONBOARDING_SERVING_DIR>/parquet/current/<table>.parquet   one Parquet file per table

Both are written under temporary names, closed, then moved into place with an
atomic rename (`os.replace`): a connection opened before keeps reading the old
file (it holds the old inode), a connection opened after sees the new one, and
nobody ever sees half a snapshot. `parquet/current` is a symbolic link to the
snapshot's own folder, swapped the same way (the two latest folders are kept).
If anything fails before the renames, the temporary files are removed and the
previous snapshot stays as it was: a failed run publishes nothing.

Every table and column carries its description from the dbt project (`COMMENT ON` in
the DuckDB file; key-value metadata `description` and `column_descriptions`, a JSON
object, in each Parquet file), and a table whose grain dbt tests (`unique` or
`unique_combination` on columns tested `not_null`) has that grain as its primary key,
so a BI tool's schema browser (SQLAlchemy's inspector, duckdb_engine) shows them.

Every served table carries the `snapshot_id` column, and the table
`serving_snapshot` names the snapshot (id, Dagster run id, build time, data
as-of, and one row count per table), so a reader can check that what it read
is one complete snapshot. The tables sit in the file's main schema (what BI tools
list first); views under the warehouse's schema names (`marts.kpi_activation_rate`)
let the semantic layer read the snapshot with the relation names dbt gives them
(the `serving` target of profiles.yml).
"""

from __future__ import annotations

import datetime as dt
import fcntl
import json
import os
import shutil
import uuid
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import duckdb

from orchestration.lib import DBT_PROJECT_DIR, connect_warehouse, repo_path, setting, warehouse_path
from orchestration.sql import quote_identifier, quote_literal

SERVING_FILE = "onboarding_serving.duckdb"
PARQUET_DIR = "parquet"
CURRENT = "current"
SNAPSHOT_TABLE = "serving_snapshot"
# Account-level facts served beside the kpi_ and dim_ marts (drill-down, reports).
SERVED_FACTS = (
    "fct_account_onboarding",
    "fct_account_retention",
    "fct_survey_responses",
    "fct_at_risk_alerts",
    "fct_account_risk_signals",  # the per-rule at-risk metrics of the semantic layer read it
    "fct_account_health",
    "fct_funnel_progress",  # the insight metrics of the semantic layer read these two
    "fct_account_lifecycle_weeks",
)
# Tables the Python prediction assets write (dbt source `predict`), served when they exist:
# before the prediction step has ever run there is nothing to serve (absent, not empty).
PREDICTIONS_SCHEMA = "predict"
# Configuration BI shows beside the metrics: (schema, table).
SERVED_SEEDS = (("config", "metric_targets"),)
KEPT_PARQUET_SNAPSHOTS = 2


def serving_dir() -> Path:
    """Where the serving snapshot is published (ONBOARDING_SERVING_DIR)."""
    return repo_path(setting("ONBOARDING_SERVING_DIR"))


def serving_file(directory: Path | None = None) -> Path:
    return (directory or serving_dir()) / SERVING_FILE


def parquet_current(directory: Path | None = None) -> Path:
    return (directory or serving_dir()) / PARQUET_DIR / CURRENT


def served_tables(manifest: dict) -> list[tuple[str, str]]:
    """The (schema, table) pairs a snapshot holds, from the dbt manifest: every kpi_ and
    dim_ mart, the served facts and the served seeds."""
    nodes = manifest["nodes"].values()
    marts = sorted(
        n["name"]
        for n in nodes
        if n["resource_type"] == "model"
        and n["config"].get("schema") == "marts"
        and (n["name"].startswith(("kpi_", "dim_")) or n["name"] in SERVED_FACTS)
    )
    seeds = {(n["config"].get("schema"), n["name"]) for n in nodes if n["resource_type"] == "seed"}
    missing = [f for f in SERVED_FACTS if f not in marts] + [s for s in SERVED_SEEDS if s not in seeds]
    if missing:
        raise ValueError(f"served tables missing from the dbt project: {missing}")
    predictions = sorted(
        (PREDICTIONS_SCHEMA, s["name"])
        for s in manifest.get("sources", {}).values()
        if s["source_name"] == PREDICTIONS_SCHEMA
    )
    return [("marts", name) for name in marts] + list(SERVED_SEEDS) + predictions


SNAPSHOT_ID_DESCRIPTION = (
    "The serving snapshot this row belongs to (serving_snapshot.snapshot_id): rows of one "
    "snapshot were published together."
)
SNAPSHOT_TABLE_DOCS = (
    "The serving snapshot: one row per served table, naming the snapshot, the run that "
    "published it and the table's row count. Compare a table's rows and snapshot_id with it "
    "to check that what you read is one complete snapshot.",
    {
        "snapshot_id": "Build time (UTC) and the start of the run id: sortable and unique.",
        "run_id": "The Dagster run (or command-line publish) that published the snapshot.",
        "built_at": "When the snapshot was published (UTC).",
        "data_as_of": "The data's as-of instant (UTC): the latest event the marts saw.",
        "table_name": "A served table.",
        "row_count": "Its rows in this snapshot.",
        "parquet_file": "Its Parquet file, in the snapshot's Parquet folder.",
    },
)


@dataclass(frozen=True)
class TableDocs:
    """What a BI tool shows of a served table: its description, each column's, and the
    primary key (the grain its dbt tests assert; empty when none)."""

    description: str
    columns: dict[str, str]
    primary_key: tuple[str, ...] = ()


def _grain(tests: list[dict], columns: set[str]) -> tuple[str, ...]:
    """The first `unique` / `unique_combination` test whose columns are all tested not_null."""
    not_null = {t.get("column_name") for t in tests if t["test_metadata"]["name"] == "not_null"}
    for test in sorted(tests, key=lambda t: t["unique_id"]):
        name = test["test_metadata"]["name"]
        if name == "unique":
            key = (test.get("column_name"),)
        elif name == "unique_combination":
            key = tuple(test["test_metadata"].get("kwargs", {}).get("columns") or ())
        else:
            continue
        if key and all(c in not_null and c in columns for c in key):
            return key
    return ()


def served_docs(manifest: dict, tables: list[tuple[str, str]]) -> dict[str, TableDocs]:
    """The descriptions and grain of every served table, from the dbt manifest (a column
    without a description in the project gets none here either)."""
    by_name = {
        (n["config"].get("schema"), n["name"]): n
        for n in manifest["nodes"].values()
        if n["resource_type"] in ("model", "seed")
    }
    # The tables the Python prediction step writes are dbt sources, documented there.
    by_name |= {(s["schema"], s["name"]): s for s in manifest.get("sources", {}).values()}
    tests: dict[str, list[dict]] = {}
    for n in manifest["nodes"].values():
        if n["resource_type"] == "test" and n.get("attached_node") and n.get("test_metadata"):
            tests.setdefault(n["attached_node"], []).append(n)
    docs = {}
    for schema, table in tables:
        node = by_name.get((schema, table))
        if node is None:  # not a dbt relation: served without descriptions
            docs[table] = TableDocs("", {})
            continue
        columns = {name: " ".join(c.get("description", "").split()) for name, c in node["columns"].items()}
        docs[table] = TableDocs(
            " ".join(node.get("description", "").split()),
            {name: text for name, text in columns.items() if text},
            _grain(tests.get(node["unique_id"], []), set(columns)),
        )
    return docs


def project_docs(tables: list[tuple[str, str]]) -> dict[str, TableDocs]:
    """served_docs from the project's parsed manifest (target/manifest.json)."""
    return served_docs(json.loads((DBT_PROJECT_DIR / "target" / "manifest.json").read_text()), tables)


def new_snapshot_id(run_id: str, built_at: dt.datetime) -> str:
    """Sortable and unique: build time (UTC) and the start of the run id."""
    return f"{built_at:%Y%m%dT%H%M%S}Z-{run_id.replace('-', '')[:8]}"


@dataclass
class Snapshot:
    snapshot_id: str
    run_id: str
    built_at: dt.datetime
    data_as_of: dt.datetime | None
    row_counts: dict[str, int]
    serving_file: Path
    parquet_dir: Path


def _comment(con: duckdb.DuckDBPyConnection, kind: str, target: str, text: str) -> None:
    # COMMENT ON takes no parameters: the text is a quoted literal.
    con.execute(f"comment on {kind} {target} is {quote_literal(text)}")


def _document_table(con: duckdb.DuckDBPyConnection, table: str, docs: TableDocs) -> None:
    """The table's and its columns' descriptions as comments, and its grain as primary key."""
    if docs.description:
        _comment(con, "table", quote_identifier(table), docs.description)
    present = {
        name
        for (name,) in con.execute(
            "select column_name from duckdb_columns() where schema_name = 'main' and table_name = ?", [table]
        ).fetchall()
    }
    for column, text in docs.columns.items():
        if column in present:  # a column documented but not built has nothing to describe
            _comment(con, "column", quote_identifier(table, column), text)
    if docs.primary_key and set(docs.primary_key) <= present:
        key = ", ".join(quote_identifier(c) for c in docs.primary_key)
        con.execute(f"alter table {quote_identifier(table)} add primary key ({key})")


def _write_serving_file(
    path: Path,
    warehouse: Path,
    tables: list[tuple[str, str]],
    snapshot_id: str,
    docs: dict[str, TableDocs],
) -> dict[str, int]:
    """Copy the tables into a new DuckDB file, each with the snapshot id and its
    descriptions; their row counts."""
    con = duckdb.connect(str(path))
    try:
        con.execute("attach ? as warehouse (read_only)", [str(warehouse)])
        counts = {}
        for schema, table in tables:
            con.execute(
                f"create table {quote_identifier(table)} as select *, ? as snapshot_id "
                f"from {quote_identifier('warehouse', schema, table)}",
                [snapshot_id],
            )
            counts[table] = con.execute(f"select count(*) from {quote_identifier(table)}").fetchone()[0]
            table_docs = docs.get(table, TableDocs("", {}))
            _document_table(
                con,
                table,
                TableDocs(
                    table_docs.description,
                    {**table_docs.columns, "snapshot_id": SNAPSHOT_ID_DESCRIPTION},
                    table_docs.primary_key,
                ),
            )
        for schema in sorted({schema for schema, _ in tables}):
            con.execute(f"create schema {quote_identifier(schema)}")
        for schema, table in tables:
            view, served = quote_identifier(schema, table), quote_identifier("main", table)
            con.execute(f"create view {view} as select * from {served}")
            if table in docs and docs[table].description:
                _comment(con, "view", view, docs[table].description)
        con.execute("detach warehouse")
        return counts
    finally:
        con.close()


def present_tables(warehouse: Path, tables: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """`tables` less the prediction tables the warehouse does not have (not written yet)."""
    with connect_warehouse(warehouse, read_only=True) as con:
        present = set(
            con.execute(
                "select table_schema, table_name from information_schema.tables where table_schema = ?",
                [PREDICTIONS_SCHEMA],
            ).fetchall()
        )
    return [(s, t) for s, t in tables if s != PREDICTIONS_SCHEMA or (s, t) in present]


def _data_as_of(warehouse: Path) -> dt.datetime | None:
    with connect_warehouse(warehouse, read_only=True) as con:
        return con.execute("select max(as_of_at) from marts.fct_account_onboarding").fetchone()[0]


def _parquet_metadata(con: duckdb.DuckDBPyConnection, table: str) -> str:
    """The KV_METADATA option of a table's Parquet copy: its descriptions, read back from
    the comments in the serving file (COPY takes no parameters: quoted literals)."""
    (description,) = con.execute(
        "select coalesce(comment, '') from duckdb_tables() where schema_name = 'main' and table_name = ?",
        [table],
    ).fetchone()
    columns = dict(
        con.execute(
            "select column_name, comment from duckdb_columns() "
            "where schema_name = 'main' and table_name = ? and comment is not null order by column_index",
            [table],
        ).fetchall()
    )
    return (
        f"kv_metadata {{description: {quote_literal(description)}, "
        f"column_descriptions: {quote_literal(json.dumps(columns, ensure_ascii=False))}}}"
    )


def _write_snapshot_table(
    path: Path, snapshot: Snapshot, parquet_dir: Path, tables: list[tuple[str, str]]
) -> None:
    """The snapshot table (one row per served table), in the file and as Parquet; then
    every table as Parquet into `parquet_dir`, with its descriptions."""
    con = duckdb.connect(str(path))
    try:
        con.execute(
            f"""create table {SNAPSHOT_TABLE} (
                snapshot_id varchar, run_id varchar, built_at timestamp, data_as_of timestamp,
                table_name varchar, row_count bigint, parquet_file varchar)"""
        )
        con.executemany(
            f"insert into {SNAPSHOT_TABLE} values (?, ?, ?, ?, ?, ?, ?)",
            [
                (
                    snapshot.snapshot_id,
                    snapshot.run_id,
                    snapshot.built_at.replace(tzinfo=None),
                    snapshot.data_as_of,
                    table,
                    count,
                    f"{table}.parquet",
                )
                for table, count in snapshot.row_counts.items()
            ],
        )
        description, columns = SNAPSHOT_TABLE_DOCS
        _document_table(con, SNAPSHOT_TABLE, TableDocs(description, columns))
        for _, table in [*tables, ("", SNAPSHOT_TABLE)]:
            target = parquet_dir / f"{table}.parquet"
            options = _parquet_metadata(con, table)
            con.execute(f"copy {quote_identifier(table)} to ? (format parquet, {options})", [str(target)])
        con.execute("checkpoint")
    finally:
        con.close()


def _swap_symlink(link: Path, target_name: str) -> None:
    """Point `link` at `target_name` (a sibling) atomically: a new link, renamed over the old."""
    temporary = link.with_name(f".{link.name}.{uuid.uuid4().hex}.tmp")
    temporary.symlink_to(target_name)
    os.replace(temporary, link)


def _prune_parquet(root: Path, keep: set[str]) -> None:
    """Remove old snapshot folders, keeping the newest ones (a reader may still be on them)."""
    folders = sorted(p for p in root.iterdir() if p.is_dir() and not p.is_symlink() and p.name[0] != ".")
    for old in folders[: max(0, len(folders) - KEPT_PARQUET_SNAPSHOTS)]:
        if old.name not in keep:
            shutil.rmtree(old, ignore_errors=True)


def _temporary_names(directory: Path) -> list[Path]:
    """What a publish writes before its renames: the serving file's temporary copy (and its
    WAL), the Parquet folder being filled, the new `current` link."""
    parquet_root = directory / PARQUET_DIR
    found = [*directory.glob(f".{SERVING_FILE}.*.tmp"), *directory.glob(f".{SERVING_FILE}.*.tmp.wal")]
    if parquet_root.is_dir():
        found += [*parquet_root.glob(".*.tmp")]
    return sorted(found)


def remove_leftovers(directory: Path) -> list[Path]:
    """Remove what an interrupted publish left behind (killed before its renames); the
    paths removed. Called under the publish lock, so never another publish's files."""
    removed = []
    for path in _temporary_names(directory):
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink(missing_ok=True)
        removed.append(path)
    return removed


@contextmanager
def _publishing(directory: Path):
    """One publish at a time per serving folder (a lock on the folder itself: no file)."""
    directory.mkdir(parents=True, exist_ok=True)
    handle = os.open(directory, os.O_RDONLY)
    try:
        fcntl.flock(handle, fcntl.LOCK_EX)
        yield
    finally:
        os.close(handle)


def publish_snapshot(
    tables: list[tuple[str, str]],
    run_id: str,
    warehouse: Path | None = None,
    directory: Path | None = None,
    built_at: dt.datetime | None = None,
    docs: dict[str, TableDocs] | None = None,
) -> Snapshot:
    """Copy `tables` from the warehouse into a new serving file and Parquet folder, then
    move both into place atomically. Raises (publishing nothing) if any step fails; what
    a publish killed half-way left behind is removed by the next one. `docs`: the tables'
    descriptions and grain (default: the project's manifest)."""
    docs = docs if docs is not None else project_docs(tables)
    warehouse = warehouse or warehouse_path()
    directory = directory or serving_dir()
    built_at = built_at or dt.datetime.now(dt.UTC)
    with _publishing(directory):
        remove_leftovers(directory)
        return _publish(tables, run_id, warehouse, directory, built_at, docs)


def _publish(
    tables: list[tuple[str, str]],
    run_id: str,
    warehouse: Path,
    directory: Path,
    built_at: dt.datetime,
    docs: dict[str, TableDocs],
) -> Snapshot:
    snapshot_id = new_snapshot_id(run_id, built_at)
    parquet_root = directory / PARQUET_DIR
    parquet_root.mkdir(parents=True, exist_ok=True)
    temporary_file = directory / f".{SERVING_FILE}.{snapshot_id}.tmp"
    temporary_parquet = parquet_root / f".{snapshot_id}.tmp"
    final_parquet = parquet_root / snapshot_id
    tables = present_tables(warehouse, tables)
    try:
        temporary_parquet.mkdir()
        counts = _write_serving_file(temporary_file, warehouse, tables, snapshot_id, docs)
        snapshot = Snapshot(
            snapshot_id,
            run_id,
            built_at,
            _data_as_of(warehouse),
            counts,
            serving_file(directory),
            final_parquet,
        )
        _write_snapshot_table(temporary_file, snapshot, temporary_parquet, tables)
        (temporary_parquet / "snapshot.json").write_text(json.dumps(snapshot_json(snapshot), indent=2))
        os.replace(temporary_parquet, final_parquet)
    except BaseException:
        temporary_file.unlink(missing_ok=True)
        Path(f"{temporary_file}.wal").unlink(missing_ok=True)
        shutil.rmtree(temporary_parquet, ignore_errors=True)
        raise
    # The two publishing steps: each an atomic rename.
    os.replace(temporary_file, snapshot.serving_file)
    _swap_symlink(parquet_root / CURRENT, snapshot_id)
    _prune_parquet(parquet_root, keep={snapshot_id})
    return snapshot


def snapshot_json(snapshot: Snapshot) -> dict:
    return {
        "snapshot_id": snapshot.snapshot_id,
        "run_id": snapshot.run_id,
        "built_at": snapshot.built_at.isoformat(),
        "data_as_of": snapshot.data_as_of.isoformat() if snapshot.data_as_of else None,
        "row_counts": snapshot.row_counts,
    }


def connect_serving(path: Path | None = None) -> duckdb.DuckDBPyConnection:
    """A read-only connection to the current serving file (what BI tools do)."""
    return duckdb.connect(str(path or serving_file()), read_only=True)
