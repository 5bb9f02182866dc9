"""The drift checks' statistics, config and partition keys: pure functions (and one check's
SQL on a small in-memory DuckDB); nothing else runs."""

import datetime as dt
import math

import pytest

from orchestration.checks import stats
from orchestration.checks.config import DriftConfigError, load_config, validate
from orchestration.checks.sensors import freshness_run_key
from orchestration.landing.partitions import PartitionKeyError, days, dbt_partition_env, parse_day

MONDAY = dt.date(2026, 3, 2)


def weekly_series(end: dt.date, n: int = 28, weekday_rows: int = 1000, weekend_rows: int = 400, growth=0.0):
    """n days before `end`: weekdays and weekends at their level, with a daily growth rate and
    a deterministic +-3% wobble."""
    series = []
    for i in range(n, 0, -1):
        day = end - dt.timedelta(days=i)
        level = weekend_rows if day.weekday() >= 5 else weekday_rows
        wobble = 1 + 0.03 * math.sin(i * 2.1)
        series.append((day, round(level * wobble * (1 + growth) ** (n - i))))
    return series


VOLUME = {"max_abs_z": 5.0, "min_ratio": 2.0, "min_history_days": 14, "min_scale": 0.05}


def test_theil_sen_ignores_an_outlier():
    xs = list(range(10))
    ys = [2 * x + 1 for x in xs]
    ys[4] = 100
    slope, intercept = stats.theil_sen(xs, ys)
    assert slope == pytest.approx(2)
    assert intercept == pytest.approx(1)


def test_volume_expects_the_weekday_level():
    history = weekly_series(MONDAY)
    monday = stats.volume_drift(history, MONDAY, 1000, **VOLUME)
    sunday = stats.volume_drift(history, MONDAY - dt.timedelta(days=1), 400, **VOLUME)
    assert monday.passed and sunday.passed
    assert monday.details["expected_rows"] == pytest.approx(1000, rel=0.05)
    # A Monday as low as a Sunday is a drop once weekday seasonality is accounted for.
    low = stats.volume_drift(history, MONDAY, 300, **VOLUME)
    assert not low.passed and low.value < -5
    assert stats.volume_drift(history, MONDAY, 2500, **VOLUME).passed is False


def test_volume_follows_a_growth_trend():
    history = weekly_series(MONDAY, growth=0.03)
    expected = 1000 * 1.03**28
    assert stats.volume_drift(history, MONDAY, round(expected), **VOLUME).passed
    assert not stats.volume_drift(history, MONDAY, round(expected * 0.3), **VOLUME).passed


def test_volume_needs_a_large_move_even_on_a_regular_series():
    history = [(MONDAY - dt.timedelta(days=i), 1000) for i in range(1, 29)]
    outcome = stats.volume_drift(history, MONDAY, 1300, **VOLUME)
    assert abs(outcome.value) > 5 and outcome.passed  # z is large, the ratio is not
    assert not stats.volume_drift(history, MONDAY, 0, **VOLUME).passed  # an empty day fires


def test_volume_is_not_judged_without_history():
    outcome = stats.volume_drift(weekly_series(MONDAY, n=10), MONDAY, 5, **VOLUME)
    assert outcome.passed and not outcome.judged and outcome.value is None


def test_share_drift_reports_value_and_threshold():
    outcome = stats.share_drift(30, 1000, 0.02, "odd")
    assert not outcome.passed
    assert (outcome.value, outcome.threshold) == (0.03, 0.02)
    assert stats.share_drift(20, 1000, 0.02, "odd").passed
    assert not stats.share_drift(0, 0, 0.02, "odd").judged


def test_null_rate_drift_picks_the_worst_column():
    history = {"user_id": [0.01] * 10, "properties": [0.30] * 10}
    quiet = stats.null_rate_drift({"user_id": 0.02, "properties": 0.35}, history, 0.15, 7)
    assert quiet.passed and quiet.details["worst_column"] == "properties"
    loud = stats.null_rate_drift({"user_id": 0.60, "properties": 0.30}, history, 0.15, 7)
    assert not loud.passed and loud.details["worst_column"] == "user_id"
    assert loud.value == pytest.approx(0.59)
    assert not stats.null_rate_drift({"user_id": 0.6}, {"user_id": [0.0] * 3}, 0.15, 7).judged


def test_population_stability_index():
    same = {"a": 50, "b": 30, "c": 20}
    assert stats.population_stability_index(same, {k: v * 10 for k, v in same.items()}) == pytest.approx(0)
    shifted = stats.population_stability_index({"a": 20, "b": 30, "c": 50}, same)
    expected = (0.2 - 0.5) * math.log(0.2 / 0.5) + (0.5 - 0.2) * math.log(0.5 / 0.2)
    assert shifted == pytest.approx(expected)
    # A category absent on one side is floored, not infinite.
    assert math.isfinite(stats.population_stability_index({"a": 1}, {"b": 1}))


def test_event_mix_drift():
    baseline = {"page_viewed": 4400, "login": 3000, "action_failed": 300, "workflow_run": 2300}
    same = {"page_viewed": 440, "login": 300, "action_failed": 30, "workflow_run": 230}
    quiet = stats.event_mix_drift(same, baseline, 28, 0.25, 200, 7)
    assert quiet.passed and quiet.value == pytest.approx(0, abs=1e-9)
    failures = {"page_viewed": 180, "login": 300, "action_failed": 290, "workflow_run": 230}
    storm = stats.event_mix_drift(failures, baseline, 28, 0.25, 200, 7)
    assert not storm.passed
    assert "action_failed" in storm.details["largest_shifts"]
    assert not stats.event_mix_drift({"login": 10}, baseline, 28, 0.25, 200, 7).judged


CONTRACT = {"event_id": "text", "user_id": "text", "occurred_at": "timestamp", "properties": "json"}


def test_schema_drift_added_missing_retyped():
    clean = {"f.parquet": ("parquet", {"event_id": "VARCHAR", "user_id": "VARCHAR",
                                       "occurred_at": "VARCHAR", "properties": "VARCHAR"})}  # fmt: skip
    assert stats.schema_drift(CONTRACT, clean, 0, 0, 0).passed
    drifted = {"g.parquet": ("parquet", {"event_id": "VARCHAR", "user_id": "BIGINT",
                                         "occurred_at": "TIMESTAMP", "session_id": "VARCHAR"})}  # fmt: skip
    outcome = stats.schema_drift(CONTRACT, drifted, 0, 0, 0)
    assert not outcome.passed
    assert outcome.details["added_columns"] == ["session_id"]
    assert outcome.details["missing_columns"] == ["properties"]
    assert outcome.details["retyped_columns"] == ["user_id: text -> BIGINT"]
    assert stats.schema_drift(CONTRACT, drifted, 1, 1, 1).passed  # within the limits


def test_schema_drift_csv_text_columns_may_look_numeric():
    csv = {"f.csv": ("csv", {"event_id": "BIGINT", "user_id": "VARCHAR", "occurred_at": "TIMESTAMP",
                             "properties": "VARCHAR"})}  # fmt: skip
    assert stats.schema_drift(CONTRACT, csv, 0, 0, 0).passed
    csv["f.csv"][1]["occurred_at"] = "BIGINT"  # epoch numbers instead of timestamps
    assert not stats.schema_drift(CONTRACT, csv, 0, 0, 0).passed


def test_the_thresholds_file_is_valid_and_complete():
    config = load_config()
    assert config["trailing_days"] == 28
    assert all(
        config[section]["severity"] in ("warn", "error") for section in config if section != "trailing_days"
    )


@pytest.mark.parametrize(
    "change, message",
    [
        (lambda c: c.pop("volume"), "section 'volume' is missing"),
        (lambda c: c["duplicates"].update(max_share="high"), "duplicates.max_share"),
        (lambda c: c["quarantine"].update(severity="fatal"), "quarantine.severity"),
        (lambda c: c.update(trailing_days=3), "trailing_days"),
        (lambda c: c.update(volumes={}), "unknown section"),
    ],
)
def test_a_bad_thresholds_file_is_refused_with_its_reason(change, message):
    import copy

    config = copy.deepcopy(load_config())
    change(config)
    with pytest.raises(DriftConfigError, match=message):
        validate(config)


def test_partition_keys_are_validated_before_reaching_sql():
    assert parse_day("2026-02-28") == dt.date(2026, 2, 28)
    for bad in ["2026-02-30", "2026-2-1", "2026-02-01'; drop table x; --", "yesterday", ""]:
        with pytest.raises(PartitionKeyError):
            parse_day(bad)
    assert days(dt.date(2026, 1, 30), dt.date(2026, 2, 1))[-1] == dt.date(2026, 2, 1)
    assert dbt_partition_env(dt.date(2026, 1, 1), dt.date(2026, 1, 3)) == {
        "ONBOARDING_PARTITION_START": "2026-01-01",
        "ONBOARDING_PARTITION_END": "2026-01-03",
    }


def test_the_freshness_sensor_asks_for_one_run_per_half_hour():
    at = dt.datetime(2026, 3, 2, 10, 5, tzinfo=dt.UTC)
    assert (
        freshness_run_key(at)
        == freshness_run_key(at + dt.timedelta(minutes=20))
        == "freshness-2026-03-02T10:00"
    )
    assert freshness_run_key(at + dt.timedelta(minutes=30)) == "freshness-2026-03-02T10:30"


def test_a_case_variant_of_a_known_event_name_is_reported_by_the_unknown_names_check():
    """WORKFLOW_RUN beside workflow_run: staged as an unknown name (names match exactly,
    after trimming), and the unknown-names check fires naming the variant and its known
    name, even far below the share limit. Real SQL (queries.py) on a small DuckDB."""
    import duckdb

    from orchestration.checks.drift import evaluate
    from orchestration.landing import load_contracts

    day = dt.date(2026, 11, 26)
    with duckdb.connect() as con:
        con.execute("create schema staging; create schema config")
        con.execute(
            "create table config.event_taxonomy as "
            "select * from (values ('workflow_run'), ('login')) as t(event_name)"
        )
        con.execute(
            "create table staging.base_events as select 'e' || i as event_id, 'a' as account_id, "
            "null as user_id, "
            "case when i = 0 then 'WORKFLOW_RUN' when i = 1 then 'brand_new' else 'login' end as event_name, "
            "timestamp '2026-11-26 10:00:00' as occurred_at, timestamp '2026-11-26 10:00:01' as received_at, "
            "null as properties, date '2026-11-26' as landing_date, null as quarantine_reason "
            "from range(1000) as r(i)"
        )
        config = load_config()
        judged = evaluate(
            con, None, load_contracts()["events"], day, day, config, ("drift_unknown_event_names",)
        )
    outcome = judged[day]["drift_unknown_event_names"]
    assert not outcome.passed
    assert outcome.details["case_variants"] == {"WORKFLOW_RUN": {"known_name": "workflow_run", "rows": 1}}
    assert "WORKFLOW_RUN (1 rows; known as workflow_run)" in outcome.summary
    assert outcome.value == 0.002  # both unknown names; far below the 2% share limit
    quiet = stats.unknown_names_drift(2, 1000, 0.02, {}, 0)
    assert quiet.passed and "case_variants" not in quiet.details
