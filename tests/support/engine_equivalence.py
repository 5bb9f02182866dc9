"""Row-for-row comparison of one dbt model as built by two engines, both read
through DuckDB: DuckDB's table in the warehouse file, Spark's table files
(Parquet, under the Spark warehouse folder). Used by test_spark_equivalence.py.

Normalisation, stated once:
- Column types are compared by class (integer, decimal, float, text, boolean,
  date, timestamp): the class must be the same on both engines, widths may
  differ (DuckDB sums to HUGEINT or DECIMAL(38, s), Spark to BIGINT or
  DECIMAL(p + 10, s)).
- Integers are compared as BIGINT; decimals and floats as DOUBLE rounded to
  FLOAT_DECIMALS places. Two values that round differently but differ by at
  most one unit of that place, or by FLOAT_RELATIVE_TOLERANCE of their size
  (a large sum added up in another order), are equal.
- Everything else is compared exactly (timestamps to the microsecond), but for
  the incremental models' bookkeeping (ENGINE_HASHES: hashes each engine computes
  with its own function, and the fingerprint naming the engine), which must only be
  present on both.
Rows are compared as multisets (`except all` in both directions).
"""

from __future__ import annotations

from collections import defaultdict

import duckdb

FLOAT_DECIMALS = 6
FLOAT_ABSOLUTE_TOLERANCE = 10.0**-FLOAT_DECIMALS * (1 + 1e-9)
FLOAT_RELATIVE_TOLERANCE = 1e-12
FLOAT_CLASSES = ("decimal", "float")
INTEGER_TYPES = {"TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "UTINYINT", "USMALLINT", "UINTEGER"}
ENGINE_HASHES = {"_inputs_fingerprint", "_account_signature", "row_hash", "events_hash"}
EXAMPLES = 3
# The identifying columns shown in an example row, besides the columns that differ.
SHOWN_LEADING_COLUMNS = 4


def type_class(type_name: str) -> str:
    """The class of a DuckDB type name, as compared across engines."""
    name = type_name.upper()
    if name.startswith("DECIMAL"):
        return "decimal"
    if name in INTEGER_TYPES or name == "UBIGINT":
        return "integer"
    if name in ("FLOAT", "DOUBLE", "REAL"):
        return "float"
    if name.startswith("TIMESTAMP"):
        return "timestamp"
    return {"VARCHAR": "text", "BOOLEAN": "boolean", "DATE": "date"}.get(name, name)


def _columns(con: duckdb.DuckDBPyConnection, relation: str) -> dict[str, str]:
    return {row[0]: row[1] for row in con.execute(f"describe select * from {relation}").fetchall()}


def _normalised(name: str, kind: str) -> str:
    quoted = f'"{name}"'
    if kind in FLOAT_CLASSES:
        return f"round(cast({quoted} as double), {FLOAT_DECIMALS}) as {quoted}"
    if kind == "integer":
        return f"cast({quoted} as bigint) as {quoted}"
    if kind == "timestamp":
        return f"cast({quoted} as timestamp) as {quoted}"
    if kind in ("text", "boolean", "date"):
        return quoted
    return f"cast({quoted} as varchar) as {quoted}"


def _close(a, b) -> bool:
    if a is None or b is None:
        return a is None and b is None
    difference = abs(a - b)
    return difference <= FLOAT_ABSOLUTE_TOLERANCE or difference <= FLOAT_RELATIVE_TOLERANCE * max(
        abs(a), abs(b)
    )


def _equal_columns(a: tuple, b: tuple, float_positions: set[int]) -> list[bool]:
    return [
        _close(x, y) if i in float_positions else x == y for i, (x, y) in enumerate(zip(a, b, strict=True))
    ]


def _unmatched(only_a: list[tuple], only_b: list[tuple], float_positions: set[int]):
    """Pair rows that differ only by floats within tolerance; return what is left."""
    by_key: dict[tuple, list[tuple]] = defaultdict(list)

    def key(row: tuple) -> tuple:
        return tuple(value for i, value in enumerate(row) if i not in float_positions)

    for row in only_b:
        by_key[key(row)].append(row)
    left_a = []
    for row in only_a:
        candidates = by_key.get(key(row), [])
        match = next((c for c in candidates if all(_equal_columns(row, c, float_positions))), None)
        if match is None:
            left_a.append(row)
        else:
            candidates.remove(match)
    left_b = [row for rows in by_key.values() for row in rows]
    return left_a, left_b


def _describe(
    names: list[str], only_duckdb: list[tuple], only_spark: list[tuple], float_positions: set[int]
) -> tuple[list[str], list[str]]:
    """The columns that differ (comparing each DuckDB-only row with the closest
    Spark-only row), and example rows of both engines."""
    differing: list[str] = []
    examples: list[str] = []
    for row in only_duckdb[:EXAMPLES]:
        closest = max(
            only_spark, key=lambda other: sum(_equal_columns(row, other, float_positions)), default=None
        )
        if closest is None:
            examples.append(f"  DuckDB only: {_shown(names, row, [])}")
            continue
        columns = [
            names[i] for i, same in enumerate(_equal_columns(row, closest, float_positions)) if not same
        ]
        differing += [c for c in columns if c not in differing]
        examples.append(f"  DuckDB: {_shown(names, row, columns)}")
        examples.append(f"  Spark:  {_shown(names, closest, columns)}")
    if not only_duckdb:
        examples += [f"  Spark only: {_shown(names, row, [])}" for row in only_spark[:EXAMPLES]]
    return differing, examples


def _shown(names: list[str], row: tuple, columns: list[str]) -> str:
    shown = [i for i, name in enumerate(names) if i < SHOWN_LEADING_COLUMNS or name in columns]
    return "{" + ", ".join(f"{names[i]}: {row[i]!r}" for i in shown) + "}"


def compare_relations(
    con: duckdb.DuckDBPyConnection, model: str, duckdb_relation: str, spark_relation: str
) -> str | None:
    """None when both relations hold the same rows (after normalisation); otherwise
    a message naming the model, the columns that differ and example rows."""
    duckdb_columns = _columns(con, duckdb_relation)
    spark_columns = _columns(con, spark_relation)
    missing = [c for c in duckdb_columns if c not in spark_columns]
    extra = [c for c in spark_columns if c not in duckdb_columns]
    if missing or extra:
        return f"{model}: columns only on DuckDB {missing}, only on Spark {extra}"
    for name in ENGINE_HASHES:
        duckdb_columns.pop(name, None)
        spark_columns.pop(name, None)
    classes = {name: type_class(type_name) for name, type_name in duckdb_columns.items()}
    mismatched = [
        f"{name} ({duckdb_columns[name]} on DuckDB, {spark_columns[name]} on Spark)"
        for name in duckdb_columns
        if type_class(spark_columns[name]) != classes[name]
    ]
    if mismatched:
        return f"{model}: column types differ: {', '.join(mismatched)}"
    names = list(duckdb_columns)
    projection = ", ".join(_normalised(name, classes[name]) for name in names)
    duckdb_rows = f"select {projection} from {duckdb_relation}"
    spark_rows = f"select {projection} from {spark_relation}"
    only_duckdb = con.execute(f"{duckdb_rows} except all {spark_rows}").fetchall()
    only_spark = con.execute(f"{spark_rows} except all {duckdb_rows}").fetchall()
    float_positions = {i for i, name in enumerate(names) if classes[name] in FLOAT_CLASSES}
    only_duckdb, only_spark = _unmatched(only_duckdb, only_spark, float_positions)
    if not only_duckdb and not only_spark:
        return None
    total = con.execute(f"select count(*) from {duckdb_relation}").fetchone()[0]
    differing, examples = _describe(names, only_duckdb, only_spark, float_positions)
    return "\n".join(
        [
            f"{model}: {len(only_duckdb)} of {total} rows only on DuckDB, {len(only_spark)} only on Spark;"
            f" columns that differ: {', '.join(differing) or '(whole rows)'}",
            *examples,
        ]
    )
