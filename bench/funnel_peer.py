"""The peer for the funnel model: ClickHouse's `windowFunnel` (embedded, `chdb`) on
the same staged events and the same configured funnels.

`windowFunnel(window, 'strict_increase')` returns, per account, the furthest
step of a chain of steps in order whose last step is at most `window` after its
first; a later first step starts a new chain. On events without equal
timestamps these are the semantics of `int_funnel_attempt_steps` (PRODUCT.md),
so the per-step counts must agree. With ties the two differ by design (the
model lets equal timestamps fill consecutive steps), and so do funnels that
repeat a step name: an event matching several steps restarts windowFunnel's
chain at step 1 before it can extend it, so such a funnel never gets past
step 1 there. Those funnels are timed but not compared.

`python -m bench.funnel_peer EVENTS.parquet LEVELS.parquet` is the measured
process: it reads the events file written by `export_events` and writes each
account's furthest step per funnel.
"""

from __future__ import annotations

import csv
import sys
import time
from pathlib import Path

import duckdb

from orchestration.sql import pattern_in

SEEDS = Path(__file__).resolve().parent.parent / "seeds"


def comparable(steps: list[str]) -> bool:
    return len(set(steps)) == len(steps)


def read_funnels() -> dict[str, tuple[int, list[str]]]:
    """funnel name -> (window in seconds, step event names in order), from the seeds:
    the ordered funnels of event names alone (windowFunnel has no strict-by-step-events
    or unordered mode, no property filter, no exclusion and no event rule, any-of or
    category, as the model has them)."""
    with open(SEEDS / "funnels.csv") as f:
        windows = {
            row["funnel_name"]: int(row["conversion_window_seconds"])
            for row in csv.DictReader(f)
            if row.get("funnel_order_type", "ordered") == "ordered"
        }
    with open(SEEDS / "funnel_exclusions.csv") as f:
        excluded = {row["funnel_name"] for row in csv.DictReader(f)}
    with open(SEEDS / "funnel_steps.csv") as f:
        rows = sorted(csv.DictReader(f), key=lambda r: (r["funnel_name"], int(r["step_number"])))
    filtered = {
        r["funnel_name"]
        for r in rows
        if r.get("property_key") or "|" in r["event_name"] or "category:" in r["event_name"]
    }
    return {
        name: (window, [r["event_name"] for r in rows if r["funnel_name"] == name])
        for name, window in windows.items()
        if name not in excluded | filtered
    }


def export_events(warehouse: Path, out: Path) -> int:
    """The staged events the funnel model reads (from sign-up on), with microsecond
    timestamps, as Parquet: the peer's input. Returns the number of events."""
    with duckdb.connect(str(warehouse), read_only=True) as con:
        con.execute(
            """copy (
                select account_id, event_name, epoch_us(occurred_at) as occurred_us
                from intermediate.int_account_events
            ) to ? (format parquet)""",
            [str(out)],
        )
        return con.execute(
            "select count(*) from read_parquet(?)", [pattern_in(out.parent, out.name)]
        ).fetchone()[0]


def _window_funnel_sql(index: int, steps: int) -> str:
    """One funnel's windowFunnel query; its name, window and step names are the query
    parameters f<index>, w<index> and s<index>_<step> (window_funnel_parameters)."""
    conditions = ", ".join(f"event_name = {{s{index}_{step}:String}}" for step in range(steps))
    names = ", ".join(f"{{s{index}_{step}:String}}" for step in range(steps))
    return f"""
        select {{f{index}:String}} as funnel_name, account_id,
            windowFunnel({{w{index}:UInt64}}, 'strict_increase')(
                toUInt64(occurred_us), {conditions}) as furthest_step
        from file({{events:String}}, Parquet)
        where event_name in ({names})
        group by account_id
        having furthest_step > 0
    """


def window_funnel_parameters(index: int, funnel: str, window_seconds: int, steps: list[str]) -> dict:
    return {
        f"f{index}": funnel,
        f"w{index}": window_seconds * 1_000_000,
        **{f"s{index}_{step}": name for step, name in enumerate(steps)},
    }


def run_peer(events: Path, levels: Path) -> float:
    """windowFunnel for every configured funnel into `levels` (Parquet); returns the
    seconds spent in ClickHouse. Funnel names, windows and step names (seed values)
    and the file paths are query parameters, never SQL text."""
    import chdb

    funnels = list(read_funnels().items())
    queries = [_window_funnel_sql(int(index), len(steps)) for index, (_, (_, steps)) in enumerate(funnels)]
    parameters = {"events": str(events), "levels": str(levels)}
    for index, (name, (window, steps)) in enumerate(funnels):
        parameters.update(window_funnel_parameters(index, name, window, steps))
    started = time.perf_counter()
    chdb.query(
        f"insert into function file({{levels:String}}, Parquet) {' union all '.join(queries)}"
        " settings engine_file_truncate_on_insert = 1",
        params=parameters,
    )
    return time.perf_counter() - started


def _per_step(source: str) -> str:
    """Accounts reaching each step, over the tie-free accounts, from `source` (furthest step
    per funnel and account)."""
    return f"""
        select furthest.funnel_name, steps.step_number, count(*) as accounts
        from {source} as furthest
        inner join tie_free using (funnel_name, account_id)
        inner join (select distinct funnel_name, step_number from config.funnel_steps) as steps
            on furthest.funnel_name = steps.funnel_name and furthest.furthest_step >= steps.step_number
        group by all order by all"""


def step_counts_without_ties(warehouse: Path, events: Path, levels: Path) -> tuple[list, list]:
    """Accounts reaching each step per funnel, by the model and by the peer, over the
    accounts with no two events of a funnel's step names at the same instant, for
    the funnels without a repeated step name."""
    funnels = {name: funnel for name, funnel in read_funnels().items() if comparable(funnel[1])}
    names = [(name, step) for name, (_, steps) in funnels.items() for step in set(steps)]
    with duckdb.connect(str(warehouse), read_only=True) as con:
        con.execute("create temp table funnel_names (funnel_name varchar, event_name varchar)")
        con.executemany("insert into funnel_names values (?, ?)", names)
        con.execute(
            """create temp table tie_free as
            select funnel_names.funnel_name, events.account_id
            from read_parquet(?) as events
            inner join funnel_names on events.event_name = funnel_names.event_name
            group by funnel_names.funnel_name, events.account_id
            having count(*) = count(distinct events.occurred_us)""",
            [pattern_in(events.parent, events.name)],
        )
        model = con.execute(
            _per_step(
                "(select distinct funnel_name, account_id, furthest_step "
                "from intermediate.int_funnel_attempt_steps)"
            )
        ).fetchall()
        peer = con.execute(_per_step("read_parquet(?)"), [pattern_in(levels.parent, levels.name)]).fetchall()
    return model, peer


def main(argv: list[str]) -> int:
    events, levels = Path(argv[0]), Path(argv[1])
    seconds = run_peer(events, levels)
    print(f"windowFunnel: {seconds:.3f} s in ClickHouse")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
