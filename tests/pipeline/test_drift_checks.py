"""The drift checks on real generated data: each fires on the drift injected for it,
and the whole suite stays quiet (at most one false alarm) over 90 clean days.

One sample is loaded and staged once (one loader call, one dbt invocation);
the checks are then evaluated with the same code the Dagster asset checks run
(orchestration.checks.drift.evaluate)."""

import datetime as dt
from dataclasses import dataclass

import duckdb
import pyarrow.parquet as pq
import pytest

from onboarding_sample.drift import DriftSpecError, parse_drift
from orchestration.checks.config import load_config
from orchestration.checks.drift import DRIFT_CHECKS, evaluate
from orchestration.checks.stats import Outcome
from orchestration.landing import load_contracts
from tests.support.commands import generate_sample, load_landing, project_env, run_dbt

pytestmark = pytest.mark.slow

START = dt.date(2026, 1, 1)
HISTORY_DAYS = 30  # before the first judged day (the window is 28 days)
CLEAN_DAYS = 90
FIRST_CLEAN = START + dt.timedelta(days=HISTORY_DAYS)
LAST_CLEAN = FIRST_CLEAN + dt.timedelta(days=CLEAN_DAYS - 1)
# The staging the checks read: the event models and the taxonomy seed, no tests.
STAGE = ["build", "--select", "+base_events", "event_taxonomy", "--resource-type", "model", "seed"]

# After the 90 clean days, each kind of drift on its own day, three days apart
# (late_arrival first: it holds back the rows due on the three days before it,
# which are not judged).
INJECTED = {
    check: (kind, LAST_CLEAN + dt.timedelta(days=4 + 3 * i))
    for i, (check, kind) in enumerate(
        [
            ("drift_late_arrival", "late_arrival"),
            ("drift_volume", "volume"),
            ("drift_unknown_event_names", "unknown_event_names"),
            ("drift_schema", "schema"),
            ("drift_null_rate", "null_rate"),
            ("drift_duplicates", "duplicates"),
            ("drift_quarantine", "quarantine"),
            ("drift_event_mix", "event_mix"),
        ]
    )
}
LAST_DAY = max(day for _, day in INJECTED.values())


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


@pytest.fixture(scope="session")
def judged(tmp_path_factory) -> Judged:
    """One sample: 30 days of history, 90 clean days, then the injected drift; loaded and
    staged once, every check judged for every day from the first clean one."""
    tmp = tmp_path_factory.mktemp("drift")
    drift = [f"--drift={kind}={day.isoformat()}" for kind, day in INJECTED.values()]
    days = (LAST_DAY - START).days + 1
    data_dir = generate_sample(tmp / "landing", 200, days, 11, *drift)
    warehouse = tmp / "warehouse" / "onboarding.duckdb"
    warehouse.parent.mkdir(parents=True)
    env = project_env(data_dir, warehouse)
    load_landing(env)
    run_dbt(STAGE, env)
    with duckdb.connect(str(warehouse), read_only=True) as con:
        results = evaluate(con, data_dir, load_contracts()["events"], FIRST_CLEAN, LAST_DAY, load_config())
    return Judged(results)


@pytest.fixture(scope="session")
def clean(judged) -> Judged:
    return Judged({day: checks for day, checks in judged.results.items() if day <= LAST_CLEAN})


@pytest.fixture(scope="session")
def drifted(judged) -> Judged:
    return Judged({day: checks for day, checks in judged.results.items() if day > LAST_CLEAN})


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


def test_injected_drift_touches_only_its_day_and_a_clean_sample_is_unchanged(tmp_path):
    day = "2026-01-06"
    clean = generate_sample(tmp_path / "clean", 30, 10, 4)
    drifted = generate_sample(tmp_path / "drifted", 30, 10, 4, f"--drift=volume={day}")

    def files(root):
        return {p.relative_to(root): p.read_bytes() for p in (root / "events").rglob("*.parquet")}

    before, after = files(clean), files(drifted)
    assert before.keys() == after.keys()
    changed = {path.parts[1] for path in before if before[path] != after[path]}
    assert changed == {f"date={day}"}
    rows = [pq.read_table(root / "events" / f"date={day}").num_rows for root in (clean, drifted)]
    assert rows[1] < 0.45 * rows[0]


@pytest.mark.parametrize(
    "spec, message",
    [
        ("volumes=2026-01-02", "unknown drift kind"),
        ("volume", "give the days"),
        ("volume=2026-02-30", "not a YYYY-MM-DD date"),
        ("volume=2027-01-01", "outside the generated period"),
    ],
)
def test_a_bad_drift_option_is_refused(spec, message):
    with pytest.raises(DriftSpecError, match=message):
        parse_drift([spec], "2026-01-01", 10)
    assert parse_drift([], "2026-01-01", 10) is None
