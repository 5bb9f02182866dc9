"""What is measured, on one dataset size: the commands and the untimed set-up each
needs. Every measured command is a whole process (see measure.py)."""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

import duckdb

from bench.measure import REPO_ROOT, measure, shell
from orchestration.sql import pattern_in, quote_identifier

BIN = Path(sys.executable).parent
PY, DBT, DAGSTER, ONBOARDING = (str(BIN / name) for name in ("python", "dbt", "dagster", "onboarding"))
START = dt.date(2025, 11, 1)  # a year that ends before today: every day is a partition
SEED = 11
# Extra `dbt build` arguments of every measured build: the quick run skips the data
# and unit tests (a smoke run of the harness); the full runs measure them.
BUILD_ARGS: list[str] = []


def dbt_build(warehouse: Path) -> str:
    return " ".join([DBT, "build", "--quiet", *BUILD_ARGS, "--target-path", str(warehouse.parent / "target")])


@dataclass
class Dataset:
    label: str
    events: int
    days: int
    root: Path

    @property
    def landing(self) -> Path:
        return self.root / "landing"

    def dates(self) -> list[str]:
        return sorted(p.name.removeprefix("date=") for p in (self.landing / "events").iterdir())

    def env(self, warehouse: Path, landing: Path | None = None, **extra: str) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("ONBOARDING_", "DAGSTER_"))}
        env.update(
            ONBOARDING_DATA_DIR=str(landing or self.landing),
            ONBOARDING_WAREHOUSE=str(warehouse),
            ONBOARDING_TEMP_DIR=str(warehouse.parent / "tmp"),
            ONBOARDING_PARTITIONS_START=START.isoformat(),
            DBT_PROFILES_DIR=str(REPO_ROOT),
            DO_NOT_TRACK="1",
            **extra,
        )
        return env


def generator_args(events: int, days: int, out: Path) -> list[str]:
    return [ONBOARDING, "sample", "generate", "--events", str(events), "--days", str(days),
            "--start", START.isoformat(), "--seed", str(SEED), "--out", str(out), "--quiet"]  # fmt: skip


def ensure_dataset(data: Dataset) -> bool:
    """Generate the dataset unless the same one is kept from an earlier run; True if generated."""
    marker = data.landing / "_generator.json"
    wanted = {"events": float(data.events), "days": data.days, "seed": SEED, "start": START.isoformat()}
    if marker.exists():
        kept = json.loads(marker.read_text()).get("arguments", {})
        if {k: kept.get(k) for k in wanted} == wanted:
            return False
    data.root.mkdir(parents=True, exist_ok=True)
    measure([*generator_args(data.events, data.days, data.landing), "--force"], os.environ.copy())
    return True


def generator(data: Dataset) -> dict:
    scratch = data.root / "generator-scratch"
    shutil.rmtree(scratch, ignore_errors=True)
    try:
        result = measure(generator_args(data.events, data.days, scratch), os.environ.copy())
        summary = json.loads((scratch / "_truth" / "summary.json").read_text())
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    written = summary["counts"]["events_written"]
    return {**result, "events": written, "events_per_s": round(written / result["wall_s"])}


def floor(data: Dataset) -> dict:
    """One DuckDB query that reads every column of every landed event and aggregates it."""
    query = """
        select count(*), max(length(event_id)), max(length(account_id)), max(length(user_id)),
            max(length(event_name)), max(occurred_at), max(received_at), max(length(properties))
        from read_parquet(?, union_by_name = true)
    """
    files = pattern_in(data.landing / "events", "*/*.parquet")
    code = f"import duckdb; print(duckdb.execute({query!r}, [{files!r}]).fetchall())"
    return measure([PY, "-c", code], os.environ.copy())


def fresh_warehouse(data: Dataset, name: str) -> Path:
    folder = data.root / "work" / name
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    return folder / "onboarding.duckdb"


def full_dbt(data: Dataset, name: str = "full-dbt", landing: Path | None = None) -> tuple[dict, Path]:
    """From an empty warehouse: the loader, then one plain `dbt build`."""
    warehouse = fresh_warehouse(data, name)
    env = data.env(warehouse, landing)
    load = f"{ONBOARDING} load"
    return measure(shell(load, dbt_build(warehouse)), env), warehouse


def full_dagster(data: Dataset) -> dict:
    """From an empty warehouse: job onboarding_full_build over every landed date (as make demo)."""
    warehouse = fresh_warehouse(data, "full-dagster")
    home = warehouse.parent / "dagster_home"
    home.mkdir()
    shutil.copy(REPO_ROOT / "deploy" / "dagster.yaml", home / "dagster.yaml")
    dates = data.dates()
    tags = json.dumps(
        {"dagster/asset_partition_range_start": dates[0], "dagster/asset_partition_range_end": dates[-1]}
    )
    args = [DAGSTER, "job", "execute", "-m", "orchestration.definitions", "-j", "onboarding_full_build",
            "--config", "orchestration/run_config/quiet.yaml", "--tags", tags]  # fmt: skip
    return measure(args, data.env(warehouse, DAGSTER_HOME=str(home)))


def partition_run(data: Dataset, warehouse: Path, dates: list[str], landing: Path | None = None) -> dict:
    """What a run of a partition range does: reload those landing dates, then one
    `dbt build` for the range (every model; incremental ones rebuild only that)."""
    env = data.env(
        warehouse, landing, ONBOARDING_PARTITION_START=dates[0], ONBOARDING_PARTITION_END=dates[-1]
    )
    partitions = " ".join(f"--partition date={d}" for d in dates)
    load = f"{ONBOARDING} load --table events --force {partitions}"
    return measure(shell(load, dbt_build(warehouse)), env)


def young_landing(data: Dataset, days: int) -> Path:
    """The dataset as it stood after its first `days` days: the event folders of those
    days (files hard-linked, not copied; the loader does not follow symbolic links)
    and the snapshot tables cut at that day."""
    young = data.root / f"first-{days}-days"
    shutil.rmtree(young, ignore_errors=True)
    (young / "events").mkdir(parents=True)
    for date in data.dates()[:days]:
        folder = f"date={date}"
        shutil.copytree(data.landing / "events" / folder, young / "events" / folder, copy_function=os.link)
    cut = dt.datetime.combine(START + dt.timedelta(days=days), dt.time())
    filters = {"accounts": "signed_up_at", "subscriptions": "period_start", "surveys": "submitted_at"}
    for table, column in filters.items():
        (young / table).mkdir()
        duckdb.execute(
            f"copy (select * from read_parquet(?) where cast({quote_identifier(column)} as timestamp) < ?) "
            "to ? (format parquet)",
            [pattern_in(data.landing / table, "*.parquet"), cut, f"{young / table / table}.parquet"],
        )
    return young


def funnel_model(data: Dataset, warehouse: Path) -> dict:
    """`dbt run` of the funnel model alone, full refresh; also its time inside DuckDB."""
    target = warehouse.parent / "target-funnel"
    args = [
        DBT,
        "run",
        "--quiet",
        "--full-refresh",
        "-s",
        "int_funnel_attempt_steps",
        "--target-path",
        str(target),
    ]
    result = measure(args, data.env(warehouse))
    (model,) = json.loads((target / "run_results.json").read_text())["results"]
    return {**result, "engine_s": round(model["execution_time"], 3)}


def window_funnel(events: Path, levels: Path) -> dict:
    """The peer as a process: chdb's windowFunnel over the same events; also its time
    inside ClickHouse."""
    out = levels.with_suffix(".seconds")
    args = shell(f"{PY} -m bench.funnel_peer {events} {levels} > {out}")
    result = measure(args, os.environ.copy())
    seconds = float(out.read_text().split(":")[1].split()[0])
    return {**result, "engine_s": round(seconds, 3)}
