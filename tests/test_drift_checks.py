"""The drift checks on real generated data: each fires on the drift injected for it,
and the whole suite stays quiet (at most one false alarm) over 90 clean days.

Both samples are loaded and staged once (one loader call, one dbt invocation
each); the checks are then evaluated with the same code the Dagster asset
checks run (orchestration.checks.drift.evaluate)."""

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest

from orchestration.checks.config import load_config
from orchestration.checks.drift import DRIFT_CHECKS, evaluate
from orchestration.checks.stats import Outcome
from orchestration.landing import load_contracts
from tests.conftest import generate_sample, load_landing, project_env, run_dbt

pytestmark = pytest.mark.slow

START = dt.date(2026, 1, 1)
HISTORY_DAYS = 30  # before the first judged day (the window is 28 days)
CLEAN_DAYS = 90
# The staging the checks read: the event models and the taxonomy seed, no tests.
STAGE = ["build", "--select", "+base_events", "event_taxonomy", "--resource-type", "model", "seed"]

# Each kind of drift on its own day, a week apart, after a clean history.
INJECTED = {
    "drift_volume": ("volume", START + dt.timedelta(days=35)),
    "drift_unknown_event_names": ("unknown_event_names", START + dt.timedelta(days=38)),
    "drift_schema": ("schema", START + dt.timedelta(days=41)),
    "drift_null_rate": ("null_rate", START + dt.timedelta(days=44)),
    "drift_late_arrival": ("late_arrival", START + dt.timedelta(days=47)),
    "drift_duplicates": ("duplicates", START + dt.timedelta(days=50)),
    "drift_quarantine": ("quarantine", START + dt.timedelta(days=53)),
    "drift_event_mix": ("event_mix", START + dt.timedelta(days=56)),
}


@dataclass
class Judged:
    results: dict[dt.date, dict[str, Outcome]]

    def failures(self) -> list[tuple[dt.date, str, str]]:
        return [
            (day, name, outcome.summary)
            for day, outcomes in sorted(self.results.items())
            for name, outcome in outcomes.items()
            if not outcome.passed
        ]


def _stage_and_judge(tmp: Path, data_dir: Path, first: dt.date, last: dt.date) -> Judged:
    warehouse = tmp / "warehouse" / "onboarding.duckdb"
    warehouse.parent.mkdir(parents=True)
    env = project_env(data_dir, warehouse)
    load_landing(env)
    run_dbt(STAGE, env)
    with duckdb.connect(str(warehouse), read_only=True) as con:
        results = evaluate(con, data_dir, load_contracts()["events"], first, last, load_config())
    return Judged(results)


@pytest.fixture(scope="session")
def clean(tmp_path_factory) -> Judged:
    tmp = tmp_path_factory.mktemp("drift_clean")
    days = HISTORY_DAYS + CLEAN_DAYS + 1
    data_dir = generate_sample(tmp / "landing", 200, days, 11)
    first = START + dt.timedelta(days=HISTORY_DAYS)
    return _stage_and_judge(tmp, data_dir, first, first + dt.timedelta(days=CLEAN_DAYS - 1))


@pytest.fixture(scope="session")
def drifted(tmp_path_factory) -> Judged:
    tmp = tmp_path_factory.mktemp("drift_injected")
    drift = [f"--drift={kind}={day.isoformat()}" for kind, day in INJECTED.values()]
    data_dir = generate_sample(tmp / "landing", 200, 60, 12, *drift)
    days = [day for _, day in INJECTED.values()]
    return _stage_and_judge(tmp, data_dir, min(days), max(days))


@pytest.mark.parametrize("check", list(INJECTED))
def test_each_check_fires_on_its_injected_drift(drifted, check):
    _, day = INJECTED[check]
    outcome = drifted.results[day][check]
    assert outcome.judged, outcome.summary
    assert not outcome.passed, f"{check} did not fire on {day}: {outcome.summary}"
    assert outcome.value is not None and outcome.threshold is not None


def test_every_drift_check_is_tested():
    assert set(INJECTED) == set(DRIFT_CHECKS)


def test_at_most_one_false_alarm_over_90_clean_days(clean):
    assert len(clean.results) == CLEAN_DAYS
    judged = [o for outcomes in clean.results.values() for o in outcomes.values() if o.judged]
    assert len(judged) >= 0.9 * CLEAN_DAYS * len(DRIFT_CHECKS), "most days must be judged"
    failures = clean.failures()
    assert len(failures) <= 1, "\n".join(f"{d} {n}: {s}" for d, n, s in failures)
