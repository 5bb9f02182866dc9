"""A BI-like reader of the serving snapshot, run as its own process by the concurrency
test: `python -m tests.support.serving_reader <mode> <serving dir> <stop file> <result json>`.

- `held`: opens ONE read-only connection and queries it in a loop (a dashboard
  left connected); it must keep seeing the snapshot it opened, whole.
- `fresh`: opens a new read-only connection for every query (a dashboard
  refreshing), and also reads the Parquet files of `parquet/current`; it must see
  each snapshot whole, and the new one once it is published.

Every query checks, inside one connection, that each served table holds exactly
the rows the snapshot table names, all with the snapshot's id. It stops when the
stop file exists and writes what it saw as JSON.
"""

import json
import os
import sys
import time
from pathlib import Path

import duckdb

from orchestration.serving.snapshot import SERVING_FILE, SNAPSHOT_TABLE, parquet_current

PAUSE_SECONDS = 0.1


def check_snapshot(con: duckdb.DuckDBPyConnection, source) -> str:
    """The snapshot id every table of one snapshot carries; AssertionError if the tables
    are not exactly the ones the snapshot table names, with its row counts and id."""
    expected = con.execute(
        f"select table_name, row_count, snapshot_id from {source(SNAPSHOT_TABLE)}"
    ).fetchall()
    (snapshot_id,) = {row[2] for row in expected}
    counts = " union all ".join(
        f"select '{table}', count(*), count(distinct snapshot_id), max(snapshot_id) from {source(table)}"
        for table, _, _ in expected
    )
    found = {table: (n, ids, sid) for table, n, ids, sid in con.execute(counts).fetchall()}
    for table, rows, _ in expected:
        n, ids, sid = found[table]
        assert n == rows, f"{table}: {n} rows, the snapshot says {rows}"
        assert n == 0 or (ids == 1 and sid == snapshot_id), f"{table}: snapshot ids {ids} ({sid})"
    return snapshot_id


def read_duckdb(con) -> str:
    return check_snapshot(con, lambda table: f'"{table}"')


def read_parquet(directory: Path) -> str:
    folder = Path(os.path.realpath(parquet_current(directory)))  # resolved once per query
    with duckdb.connect() as con:
        return check_snapshot(con, lambda table: f"read_parquet('{folder / table}.parquet')")


def main(mode: str, directory: str, stop_file: str, result_file: str) -> int:
    directory_path = Path(directory)
    database = str(directory_path / SERVING_FILE)
    seen: dict[str, list[str]] = {}
    queries, errors, messages = 0, 0, []
    held = duckdb.connect(database, read_only=True) if mode == "held" else None
    while True:
        stopping = Path(stop_file).exists()  # checked first: one more pass after the stop
        for read in ("duckdb",) if mode == "held" else ("duckdb", "parquet"):
            queries += 1
            try:
                if read == "parquet":
                    snapshot_id = read_parquet(directory_path)
                elif held is not None:
                    snapshot_id = read_duckdb(held)
                else:
                    with duckdb.connect(database, read_only=True) as con:
                        snapshot_id = read_duckdb(con)
                ids = seen.setdefault(read, [])
                if not ids or ids[-1] != snapshot_id:
                    ids.append(snapshot_id)
            except Exception as exc:  # counted and reported: the test asserts there are none
                errors += 1
                messages.append(f"{read}: {type(exc).__name__}: {exc}"[:300])
        if stopping:
            break
        Path(f"{result_file}.ready").touch()
        time.sleep(PAUSE_SECONDS)
    if held is not None:
        held.close()
    result = {"mode": mode, "queries": queries, "errors": errors, "messages": messages[:5], "seen": seen}
    Path(result_file).write_text(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:5]))
