"""The account-level incremental models (macros/incremental/accounts.sql): after a
daily run that brings late events and a corrected sign-up, they hold exactly
what a full rebuild gives, while recomputing only the accounts that moved; a
table built by an older version is rebuilt whole, saying why."""

import datetime as dt
import math
import re
import shutil

import duckdb

from tests.conftest import load_landing, project_env, run_dbt

ACCOUNT_MODELS = {
    "intermediate.int_account_milestones": "account_id, milestone_name",
    "intermediate.int_funnel_attempt_steps": "funnel_name, account_id, step_number",
    "intermediate.int_account_weekly_usage": "account_id, week_number",
}
LATE_ACCOUNTS = 25
# DuckDB sums floats in parallel in no fixed order, so two builds of the same data can
# differ in the last bits of an average: floats in marts are compared to this relative tolerance.
FLOAT_TOLERANCE = 1e-9


def _snapshot(warehouse, table: str, order: str) -> list[tuple]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute(f"select * from {table} order by {order}").fetchall()


def _sort_key(row: tuple) -> str:
    return repr(tuple(f"{value:.6g}" if isinstance(value, float) else value for value in row))


def _same_rows(left: list[tuple], right: list[tuple]) -> bool:
    def same(a, b) -> bool:
        if isinstance(a, float) and isinstance(b, float):
            return math.isclose(a, b, rel_tol=FLOAT_TOLERANCE)
        return a == b

    return len(left) == len(right) and all(
        len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
        for a, b in zip(left, right, strict=True)
    )


def _marts(warehouse) -> dict[str, list[tuple]]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        tables = [
            name
            for (name,) in con.execute(
                "select table_name from information_schema.tables where table_schema = 'marts'"
            ).fetchall()
        ]
        return {
            name: sorted(con.execute(f"select * from marts.{name}").fetchall(), key=_sort_key)
            for name in tables
        }


def _land_late_events(con: duckdb.DuckDBPyConnection, data_dir, landing_day: dt.date) -> list[str]:
    """Copies of the events that reached milestones for some accounts, occurring a
    minute after sign-up (so their milestones move earlier), arriving on `landing_day`."""
    folder = data_dir / "events" / f"date={landing_day.isoformat()}"
    folder.mkdir()
    con.execute(
        f"""
        copy (
            select
                'late_' || milestones.reached_by_event_id as event_id,
                events.account_id,
                events.user_id,
                events.event_name,
                strftime(milestones.signed_up_at + interval 1 minute, '%Y-%m-%d %H:%M:%S') as occurred_at,
                '{landing_day} 08:00:00' as received_at,
                events.properties
            from intermediate.int_account_milestones as milestones
            inner join staging.stg_events as events
                on milestones.reached_by_event_id = events.event_id
            where milestones.account_id in (
                select distinct account_id from intermediate.int_account_milestones
                where is_reached order by account_id limit {LATE_ACCOUNTS}
            )
        ) to '{folder / "late.parquet"}' (format parquet)
        """
    )
    return [
        account
        for (account,) in con.execute(
            f"select distinct account_id from read_parquet('{folder / 'late.parquet'}')"
        ).fetchall()
    ]


def _move_a_sign_up(con: duckdb.DuckDBPyConnection, data_dir, account: str) -> None:
    accounts = data_dir / "accounts" / "accounts.parquet"
    moved = data_dir / "accounts" / "moved.parquet"
    con.execute(
        f"""
        copy (
            select * replace (
                case when account_id = '{account}'
                    then strftime(cast(signed_up_at as timestamp) + interval 3 hour, '%Y-%m-%d %H:%M:%S')
                    else signed_up_at
                end as signed_up_at
            )
            from read_parquet('{accounts}')
        ) to '{moved}' (format parquet)
        """
    )
    moved.replace(accounts)


def test_a_daily_run_recomputes_the_accounts_that_moved_and_equals_a_full_rebuild(built, tmp_path):
    warehouse = tmp_path / "onboarding.duckdb"
    shutil.copy(built.warehouse, warehouse)
    data_dir = tmp_path / "landing"
    shutil.copytree(built.data_dir, data_dir)
    env = project_env(data_dir, warehouse)

    last_landed = max(
        dt.date.fromisoformat(p.name.removeprefix("date=")) for p in (data_dir / "events").iterdir()
    )
    with duckdb.connect(str(warehouse), read_only=True) as con:
        late_accounts = _land_late_events(con, data_dir, last_landed + dt.timedelta(days=1))
        (moved_account,) = con.execute(
            "select account_id from intermediate.int_accounts where account_id not in "
            f"({', '.join(repr(a) for a in late_accounts)}) order by account_id limit 1"
        ).fetchone()
        before = con.execute(
            "select account_id, milestone_name, reached_at from intermediate.int_account_milestones"
        ).fetchall()
        (accounts,) = con.execute("select count(*) from intermediate.int_accounts").fetchone()
        _move_a_sign_up(con, data_dir, moved_account)
    assert len(late_accounts) == LATE_ACCOUNTS

    load_landing(env)
    log = run_dbt(["run"], env).stdout  # what the daily run does after loading: incremental everywhere

    with duckdb.connect(str(warehouse), read_only=True) as con:
        after = con.execute(
            "select account_id, milestone_name, reached_at from intermediate.int_account_milestones"
        ).fetchall()
    # Only the late accounts and the moved one were read again, and their milestones moved.
    recomputed = re.search(r"int_account_milestones: recomputing (\d+) of (\d+) accounts", log)
    assert recomputed, log[-3000:]
    assert (int(recomputed[1]), int(recomputed[2])) == (len({*late_accounts, moved_account}), accounts)
    changed = {row[0] for row in set(after) - set(before)}
    assert changed and changed <= {*late_accounts, moved_account}

    incremental = {table: _snapshot(warehouse, table, order) for table, order in ACCOUNT_MODELS.items()}
    incremental_marts = _marts(warehouse)
    run_dbt(
        ["run", "--full-refresh", "-s", "int_as_of+", "int_account_events+", "int_account_event_signatures+"],
        env,
    )
    for table, order in ACCOUNT_MODELS.items():
        assert incremental[table] == _snapshot(warehouse, table, order), table
    rebuilt_marts = _marts(warehouse)
    assert incremental_marts.keys() == rebuilt_marts.keys()
    for name, rows in rebuilt_marts.items():
        assert _same_rows(incremental_marts[name], rows), (name, incremental_marts[name], rows)


def test_a_table_built_by_an_older_version_is_rebuilt_whole_saying_why(built, tmp_path):
    """An account-level table without the fingerprint column (built before it existed) is
    rebuilt whole by an ordinary run, which says why; no --full-refresh is needed."""
    warehouse = tmp_path / "onboarding.duckdb"
    shutil.copy(built.warehouse, warehouse)
    order = ACCOUNT_MODELS["intermediate.int_account_milestones"]
    expected = _snapshot(warehouse, "intermediate.int_account_milestones", order)
    with duckdb.connect(str(warehouse)) as con:
        con.execute("alter table intermediate.int_account_milestones drop column _inputs_fingerprint")
        con.execute("delete from intermediate.int_account_milestones where step_number = 1")
    env = project_env(built.data_dir, warehouse)
    log = run_dbt(["run", "-s", "int_account_milestones"], env).stdout
    assert re.search(
        r"int_account_milestones: its table was built by an older version of the project: "
        r"recomputing all \d+ accounts",
        log,
    ), log[-3000:]
    assert _snapshot(warehouse, "intermediate.int_account_milestones", order) == expected
