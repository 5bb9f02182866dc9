"""What the Dagster UI says of the dbt assets beyond dagster-dbt's defaults: a description
for every dbt test shown as an asset check (dagster-dbt leaves it empty unless the test's
meta has one), and the column types of each model's table in its materialization
(the Columns table of the asset page).

Column types come from the warehouse's catalog once dbt has finished: while dbt runs, it
holds DuckDB's write lock, so dagster-dbt's `fetch_column_metadata` (which queries
through the adapter from the Dagster process, during the run) cannot be used here.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

import duckdb
from dagster import Output, TableColumn, TableSchema

from orchestration.lib import DBT_PROJECT_DIR

COLUMN_SCHEMA = "dagster/column_schema"
_LEADING_COMMENT = re.compile(r"^\s*\{#-?\s*(.*?)\s*-?#\}", re.S)


def _doc_comment(sql: str | None) -> str:
    """The leading `{#- ... -#}` comment of a test's or a generic test's SQL, on one line."""
    match = _LEADING_COMMENT.match(sql or "")
    return " ".join(match.group(1).split()) if match else ""


def _listed(values: Any) -> str:
    if isinstance(values, list | tuple):
        return ", ".join(str(v) for v in values)
    return " ".join(str(values).split())


def _read(relative: str | None) -> str:
    """A file of the dbt project (a generic test's comment is outside its macro's SQL)."""
    path = DBT_PROJECT_DIR / relative if relative else None
    return path.read_text() if path and path.is_file() else ""


def check_description(manifest: Mapping[str, Any], test: Mapping[str, Any]) -> str:
    """One sentence on what a dbt test asserts, for its asset check."""
    explicit = (test.get("meta") or {}).get("description") or test.get("description")
    severity = str((test.get("config") or {}).get("severity") or "error").lower()
    suffix = " Severity warn: reported, never blocks." if severity == "warn" else ""
    if explicit:
        return " ".join(str(explicit).split()) + suffix
    metadata = test.get("test_metadata")
    if not metadata:  # a singular test: its SQL's leading comment says what it returns
        path = test.get("original_file_path", "")
        what = _doc_comment(test.get("raw_code")) or f"Rows returned by {path} fail the test."
        return f"{what} (singular dbt test, {path}).{suffix}"
    name = metadata["name"]
    kwargs = metadata.get("kwargs") or {}
    column = test.get("column_name") or kwargs.get("column_name")
    if name == "not_null":
        what = f"{column} is never null."
    elif name == "unique":
        what = f"{column} is unique: one row per value."
    elif name == "accepted_values":
        what = f"{column} is one of: {_listed(kwargs.get('values'))} (or null)."
    elif name == "relationships":
        target = re.sub(r"^\{\{\s*|\s*\}\}$", "", str(kwargs.get("to", "")))
        what = f"Every {column} is a {kwargs.get('field')} of {target} (or null)."
    elif name == "unique_combination":
        what = f"One row per ({_listed(kwargs.get('columns'))})."
    else:
        macro = manifest.get("macros", {}).get(f"macro.{test.get('package_name')}.test_{name}", {})
        fails = _doc_comment(_read(macro.get("original_file_path")))
        arguments = ", ".join(
            f"{k}={_listed(v)}" for k, v in kwargs.items() if k not in ("model", "column_name")
        )
        on = f" on {column}" if column else ""
        what = f"Test {name}{on}" + (f" ({arguments})" if arguments else "") + "."
        if fails:
            what += f" Fails on: {fails[0].lower() + fails[1:]}"
    return f"{what}{suffix}"


def column_schemas(con, relations: Iterable[tuple[str, str]], docs: Mapping) -> dict[tuple, TableSchema]:
    """The columns of each (schema, table) as the warehouse has them, in order, with their
    SQL types and the dbt project's descriptions (`docs[(schema, table)][column]`)."""
    wanted = set(relations)
    rows = con.execute(
        "select table_schema, table_name, column_name, data_type from information_schema.columns "
        "order by table_schema, table_name, ordinal_position"
    ).fetchall()
    schemas: dict[tuple, list[TableColumn]] = {}
    for schema, table, column, data_type in rows:
        if (schema, table) in wanted:
            description = docs.get((schema, table), {}).get(column) or None
            schemas.setdefault((schema, table), []).append(
                TableColumn(name=column, type=data_type, description=description)
            )
    return {relation: TableSchema(columns=columns) for relation, columns in schemas.items()}


def with_column_types(events: Iterable, manifest: Mapping[str, Any], connect, warn=print) -> Iterator:
    """dbt's events, each model's and seed's Output carrying its table's column types
    (read from the warehouse after dbt ended, `connect()`: a read-only connection). The
    events are held until the stream ends (dbt holds the warehouse meanwhile), in order;
    if dbt fails, what it did is still reported, without types."""
    held = []
    try:
        for event in events:
            held.append(event)
    except BaseException:
        yield from held
        raise
    relations = {}
    docs = {}
    for event in held:
        if isinstance(event, Output):
            unique_id = event.metadata.get("unique_id")
            node = manifest["nodes"].get(str(getattr(unique_id, "value", unique_id)), {})
            if node.get("resource_type") in ("model", "seed", "snapshot"):
                relation = (node["schema"], node.get("alias") or node["name"])
                relations[event.output_name] = relation
                docs[relation] = {c: d.get("description", "") for c, d in node.get("columns", {}).items()}
    schemas = {}
    if relations:
        try:
            with connect() as con:
                schemas = column_schemas(con, relations.values(), docs)
        except duckdb.Error as exc:  # the materializations are still reported, without types
            warn(f"column types not read from the warehouse: {str(exc).splitlines()[0]}")
    for event in held:
        relation = relations.get(event.output_name) if isinstance(event, Output) else None
        if relation in schemas:
            event = event.with_metadata({**event.metadata, COLUMN_SCHEMA: schemas[relation]})
        yield event
