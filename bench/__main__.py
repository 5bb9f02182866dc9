"""`python -m bench`: measure the pipeline at several data sizes (see BENCHMARKS.md).

    python -m bench                 1M and 10M events, 3 runs each (make bench)
    python -m bench --with-100m     also 100M events (1 run)
    python -m bench --quick         small dataset, 1 run, builds without tests (make bench-quick)

Datasets are generated once into bench/data/ and kept. Results go to
bench/results/<size>.json; a full run also rewrites the table in BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import platform
import sys
from pathlib import Path

import duckdb

from bench import scenarios as sc
from bench.funnel_peer import export_events, step_counts_without_ties
from bench.measure import REPO_ROOT, load_average, summarize
from bench.report import write_benchmarks_md

DATA = REPO_ROOT / "bench" / "data"
RESULTS = REPO_ROOT / "bench" / "results"
SIZES = {"1m": 1_000_000, "10m": 10_000_000, "100m": 100_000_000}
HISTORY_DAYS, YOUNG_DAYS, BACKFILL_DAYS = 365, 30, 90


def interleaved(runs: int, **scenarios) -> dict[str, dict]:
    """Run each scenario `runs` times, alternating them (A, B, A, B, ...) so that a
    change of load on the shared machine falls on all of them alike."""
    measured: dict[str, list] = {name: [] for name in scenarios}
    for _ in range(runs):
        for name, scenario in scenarios.items():
            measured[name].append(scenario())
    return {name: summarize(values) for name, values in measured.items()}


def bench_size(
    label: str,
    events: int,
    days: int,
    runs: int,
    young_days: int = YOUNG_DAYS,
    backfill_days: int = BACKFILL_DAYS,
    dagster: bool = True,
) -> dict:
    data = sc.Dataset(label, events, days, DATA / label)
    generated = sc.ensure_dataset(data)
    print(f"[{label}] dataset {'generated' if generated else 'kept'}: {data.landing}", flush=True)
    dates = data.dates()
    last = dates[-1:]
    young = sc.young_landing(data, young_days + 1)

    print(f"[{label}] floor, full build (dbt{', Dagster' if dagster else ''}), generator", flush=True)
    kept: dict[str, Path] = {}

    def full_dbt():
        result, kept["full"] = sc.full_dbt(data)
        return result

    results = interleaved(
        runs,
        floor=lambda: sc.floor(data),
        full_dbt=full_dbt,
        **({"full_dagster": lambda: sc.full_dagster(data)} if dagster else {}),
        generator=lambda: sc.generator(data),
    )
    full = kept["full"]
    _, young_warehouse = sc.full_dbt(data, "young", young)  # set-up, not timed

    print(
        f"[{label}] daily partition at {young_days + 1} and {len(dates)} days of history, backfill",
        flush=True,
    )
    young_last = [sorted(p.name.removeprefix("date=") for p in (young / "events").iterdir())[-1]]
    results |= interleaved(
        runs,
        daily_young=lambda: sc.partition_run(data, young_warehouse, young_last, young),
        daily_full=lambda: sc.partition_run(data, full, last),
        backfill=lambda: sc.partition_run(data, full, dates[-backfill_days:]),
    )

    print(f"[{label}] funnel model against windowFunnel", flush=True)
    events_file, levels = full.parent / "funnel-events.parquet", full.parent / "funnel-levels.parquet"
    funnel_events = export_events(full, events_file)
    results |= interleaved(
        runs,
        funnel_model=lambda: sc.funnel_model(data, full),
        window_funnel=lambda: sc.window_funnel(events_file, levels),
    )
    model, peer = step_counts_without_ties(full, events_file, levels)
    if model != peer:
        raise SystemExit(f"[{label}] funnel step counts differ:\nmodel {model}\npeer  {peer}")

    count = "select count(*) from staging.stg_events where landing_date = ?"
    with duckdb.connect(str(full), read_only=True) as con:
        staged = con.execute("select count(*) from staging.stg_events").fetchone()[0]
        last_rows = con.execute(count, [dt.date.fromisoformat(last[0])]).fetchone()[0]
    with duckdb.connect(str(young_warehouse), read_only=True) as con:
        young_rows = con.execute(count, [dt.date.fromisoformat(young_last[0])]).fetchone()[0]
    if not (young_rows and last_rows):
        raise SystemExit(f"[{label}] a measured daily partition staged no event: {young_rows}, {last_rows}")
    return {
        "label": label,
        "events_requested": events,
        "days": len(dates),
        "young_days": young_days + 1,
        "backfill_days": backfill_days,
        "staged_events": staged,
        "funnel_events": funnel_events,
        "funnel_step_counts_equal": True,
        "funnel_step_counts": model,
        "partition_rows": {"daily_young": young_rows, "daily_full": last_rows},
        "runs": runs,
        "results": results,
    }


def machine() -> dict:
    cpus = Path("/proc/cpuinfo").read_text().count("processor\t:")
    memory_kb = int(Path("/proc/meminfo").read_text().split()[1])
    return {
        "cpus": cpus,
        "memory_gb": round(memory_kb / 1024**2, 1),
        "python": platform.python_version(),
        "platform": platform.platform(),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="one small dataset, one run")
    parser.add_argument("--with-100m", action="store_true", help="also 100M events (one run)")
    parser.add_argument("--sizes", help="comma-separated subset of 1m,10m,100m")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args(argv)

    if args.quick:  # small: shorter history, no Dagster run, dbt builds without their tests
        sc.BUILD_ARGS[:] = ["--exclude-resource-type", "test", "unit_test"]
        plan = [
            ("quick", dict(events=100_000, days=40, runs=1, young_days=10, backfill_days=30, dagster=False))
        ]
    else:
        labels = args.sizes.split(",") if args.sizes else ["1m", "10m", *(["100m"] if args.with_100m else [])]
        plan = [
            (label, dict(events=SIZES[label], days=HISTORY_DAYS, runs=1 if label == "100m" else args.runs))
            for label in labels
        ]

    RESULTS.mkdir(parents=True, exist_ok=True)
    for label, settings in plan:
        started = dt.datetime.now(dt.UTC)
        before = load_average()
        result = bench_size(label, **settings)
        result.update(
            date=started.date().isoformat(),
            started_at=started.isoformat(timespec="seconds"),
            load_average_before=before,
            load_average_after=load_average(),
            machine=machine(),
        )
        path = RESULTS / f"{label}.json"
        path.write_text(json.dumps(result, indent=2, default=str) + "\n")
        print(f"[{label}] results: {path}", flush=True)
    print(write_benchmarks_md(RESULTS, REPO_ROOT / "BENCHMARKS.md", dry_run=args.quick))
    return 0


if __name__ == "__main__":
    sys.exit(main())
