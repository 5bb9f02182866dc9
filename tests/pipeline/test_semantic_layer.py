"""The semantic layer (models/semantic): metrics queried through MetricFlow's CLI
(`mf query`, target `serving`) read the serving snapshot, which the README's publish
recipe writes after a plain `dbt build`; they equal the KPI marts of the warehouse for
the same grouping. The snapshot's tables equal the marts, and both reports are
rewritten from it."""

import csv
import math
from pathlib import Path

import pytest

from orchestration.serving.assets import SERVED
from tests.support.commands import REPO_ROOT, VENV_BIN, run_command
from tests.support.readme_recipes import run_recipe

pytestmark = pytest.mark.slow

MONTH_SEGMENT = ["metric_time__month", "account__segment"]
ONBOARDING_METRICS = [
    "activation_rate",
    "onboarding_completion_rate",
    "time_to_first_value_median_days",
    "time_to_first_value_p90_days",
    "logo_retention_day_30",
]

# What each metric must equal: (sign-up month, segment) -> value, from the KPI marts.
MARTS = {
    "activation_rate": """
        select signup_month, segment, sum(activated_accounts) / nullif(sum(mature_accounts), 0)
        from marts.kpi_activation_rate group by all""",
    "onboarding_completion_rate": """
        select signup_month, segment, completion_rate from marts.kpi_onboarding_completion""",
    "time_to_first_value_median_days": """
        select cast(signup_month as date), segment, median_days from marts.kpi_time_to_first_value
        where signup_month <> 'all' and segment <> 'all'""",
    "time_to_first_value_p90_days": """
        select cast(signup_month as date), segment, p90_days from marts.kpi_time_to_first_value
        where signup_month <> 'all' and segment <> 'all'""",
    "logo_retention_day_30": """
        select signup_month, segment, sum(retained_accounts) / nullif(sum(mature_accounts), 0)
        from marts.kpi_retention_by_activation
        where period_kind = 'logo_day' and period_number = 30 group by all""",
}


@pytest.fixture(scope="module")
def published(built, tmp_path_factory):
    """The README's publish recipe, run literally in a fresh shell on the built warehouse."""
    folder = tmp_path_factory.mktemp("published")
    settings = {
        "ONBOARDING_WAREHOUSE": str(built.warehouse),
        "ONBOARDING_DATA_DIR": str(built.data_dir),
        "ONBOARDING_SERVING_DIR": str(folder / "serving"),
        "ONBOARDING_REPORTS_DIR": str(folder / "reports"),
    }
    run_recipe("publish", REPO_ROOT, settings, folder / "home")
    return {**built.env, **settings, "ONBOARDING_DBT_TARGET": "serving"}


def test_the_publish_recipe_serves_the_marts_and_rewrites_both_reports(built, published):
    import duckdb

    serving = Path(published["ONBOARDING_SERVING_DIR"]) / "onboarding_serving.duckdb"
    with duckdb.connect(str(serving), read_only=True) as con:
        tables = dict(con.execute("select table_name, row_count from serving_snapshot").fetchall())
        assert {"fct_account_retention", "fct_account_onboarding", "kpi_activation_rate"} <= set(tables)
        schemas = {table: schema for schema, table in SERVED}
        for table in tables:
            schema = schemas[table]
            served = sorted(con.execute(f'select * exclude (snapshot_id) from main."{table}"').fetchall())
            assert served == sorted(built.query(f'select * from {schema}."{table}"')), table
    reports = sorted(p.name for p in Path(published["ONBOARDING_REPORTS_DIR"]).glob("*.html"))
    assert {"weekly_funnel_review.html", "monthly_trend_report.html"} <= set(reports)


def mf_query(published: dict, metrics: list[str], group_by: list[str], out: Path) -> list[dict]:
    """`mf query` on the `serving` target: it reads the published snapshot."""
    grouping = ["--group-by", ",".join(group_by)] if group_by else []
    run_command(
        [str(VENV_BIN / "mf"), "query", "--quiet", "--metrics", ",".join(metrics), *grouping,
         "--csv", str(out)],
        published,
    )  # fmt: skip
    with out.open() as f:
        return list(csv.DictReader(f))


def number(text: str | None) -> float | None:
    return None if text in (None, "") else float(text)


def same(actual: float | None, expected) -> bool:
    if expected is None:
        return actual is None
    return actual is not None and math.isclose(actual, float(expected), rel_tol=1e-9, abs_tol=1e-9)


def test_onboarding_metrics_equal_the_kpi_marts_by_month_and_segment(built, published, tmp_path):
    rows = mf_query(published, ONBOARDING_METRICS, MONTH_SEGMENT, tmp_path / "onboarding.csv")
    by_group = {(r["metric_time__month"][:10], r["account__segment"]): r for r in rows}
    assert len(by_group) == len(rows) > 4
    for metric, sql in MARTS.items():
        expected = {(str(month), segment): value for month, segment, value in built.query(sql)}
        assert set(expected) == set(by_group), metric
        wrong = [
            (group, number(by_group[group][metric]), value)
            for group, value in expected.items()
            if not same(number(by_group[group][metric]), value)
        ]
        assert wrong == [], metric
    # Not vacuous: most groups have a value.
    assert sum(number(r["activation_rate"]) is not None for r in rows) >= len(rows) // 2


def test_net_revenue_retention_equals_the_cohort_mart(built, published, tmp_path):
    group_by = ["metric_time__month", "signup_cohort__month_number"]
    rows = mf_query(
        published, ["net_revenue_retention", "cohort_paying_share"], group_by, tmp_path / "nrr.csv"
    )
    got = {(r["metric_time__month"][:10], int(r["signup_cohort__month_number"])): r for r in rows}
    expected = built.query(
        "select signup_month, month_number, net_revenue_retention, paying_share "
        "from marts.kpi_nrr_by_signup_cohort"
    )
    assert len(expected) == len(got) > 3
    for month, month_number, nrr, paying in expected:
        row = got[(str(month), month_number)]
        assert same(number(row["net_revenue_retention"]), nrr), (month, month_number)
        assert same(number(row["cohort_paying_share"]), paying), (month, month_number)


def test_at_risk_metrics_equal_the_rescue_mart_by_rule_and_segment(built, published, tmp_path):
    group_by = ["alert__rule_name", "alert__segment"]
    metrics = ["at_risk_accounts", "at_risk_rescue_rate"]
    rows = mf_query(published, metrics, group_by, tmp_path / "at_risk.csv")
    got = {(r["alert__rule_name"], r["alert__segment"]): r for r in rows}
    expected = built.query(
        "select rule_name, segment, alerted_accounts, rescue_rate from marts.kpi_at_risk_rescue "
        "where rule_name <> 'any_rule' and segment <> 'all'"
    )
    assert len(expected) == len(got) >= 4
    for rule, segment, alerted, rescue_rate in expected:
        row = got[(rule, segment)]
        assert int(row["at_risk_accounts"]) == alerted, (rule, segment)
        assert same(number(row["at_risk_rescue_rate"]), rescue_rate), (rule, segment)
    # Over all rules an account counts once: the mart's 'any_rule' row for every segment.
    (total,) = mf_query(published, ["at_risk_accounts"], [], tmp_path / "at_risk_total.csv")
    ((any_rule,),) = built.query(
        "select alerted_accounts from marts.kpi_at_risk_rescue "
        "where rule_name = 'any_rule' and segment = 'all'"
    )
    assert int(total["at_risk_accounts"]) == any_rule > 0


def test_alert_queue_and_precision_metrics_equal_the_rescue_mart(built, published, tmp_path):
    """Issue 16 item 5: alerts raised, sent within the cap, overflow, and precision."""
    metrics = [
        "at_risk_alerts_raised",
        "at_risk_alerts_sent",
        "at_risk_alerts_overflow",
        "at_risk_alert_precision",
    ]
    (got,) = mf_query(published, metrics, [], tmp_path / "queue.csv")
    ((alerts, sent, overflow, alert_precision),) = built.query(
        "select alerts, sent_alerts, overflow_alerts, alert_precision from marts.kpi_at_risk_rescue "
        "where rule_name = 'any_rule' and segment = 'all'"
    )
    assert (int(got["at_risk_alerts_raised"]), int(got["at_risk_alerts_sent"])) == (alerts, sent)
    assert int(got["at_risk_alerts_overflow"]) == overflow and sent + overflow == alerts > 0
    assert same(number(got["at_risk_alert_precision"]), alert_precision)


def test_funnel_conversion_by_funnel_and_order_type_equals_the_cohort_mart(built, published, tmp_path):
    """Issue 17 item 5: funnel conversion (mature attempts only) by funnel, order type and
    sign-up month equals kpi_funnel_cohorts, each funnel under its configured order type."""
    group_by = ["metric_time__month", "funnel_account__funnel_name", "funnel_account__funnel_order_type"]
    metrics = ["funnel_conversion_rate", "funnel_mature_accounts", "funnel_converted_accounts"]
    rows = mf_query(published, metrics, group_by, tmp_path / "funnels.csv")
    got = {(r["metric_time__month"][:10], r["funnel_account__funnel_name"]): r for r in rows}
    order_types = dict(built.query("select funnel_name, funnel_order_type from config.funnels"))
    expected = built.query(
        "select cohort_start, funnel_name, mature_accounts, converted_accounts, conversion_rate "
        "from marts.kpi_funnel_cohorts where cohort_grain = 'month'"
    )
    assert len(expected) == len(got) > 6
    for month, funnel, mature, converted, rate in expected:
        row = got[(str(month), funnel)]
        assert row["funnel_account__funnel_order_type"] == order_types[funnel], funnel
        assert (int(row["funnel_mature_accounts"]), int(row["funnel_converted_accounts"])) == (
            mature,
            converted,
        )
        assert same(number(row["funnel_conversion_rate"]), rate), (month, funnel)
    assert {r["funnel_account__funnel_order_type"] for r in rows} == {"ordered", "strict", "unordered"}


def test_retention_insight_rate_equals_the_mart_by_cohort_and_interval(built, published, tmp_path):
    """Issue 17 item 5: the retained share of every insight, cohort and interval; null while
    the interval is not complete, as in kpi_retention_insights."""
    group_by = ["metric_time__day", "retention_cohort__insight_name", "retention_cohort__interval_number"]
    metrics = ["retention_insight_rate", "retention_insight_retained_accounts"]
    rows = mf_query(published, metrics, group_by, tmp_path / "retention.csv")
    keys = ["retention_cohort__insight_name", "retention_cohort__interval_number"]
    got = {(r["metric_time__day"][:10], r[keys[0]], int(r[keys[1]])): r for r in rows}
    expected = built.query(
        "select cast(cohort_start as date), insight_name, interval_number, retained_accounts, retention_rate "
        "from marts.kpi_retention_insights"
    )
    assert len(expected) == len(got) > 50
    for cohort, insight, interval, retained, rate in expected:
        row = got[(str(cohort), insight, interval)]
        assert same(number(row["retention_insight_rate"]), rate), (cohort, insight, interval)
        assert int(row["retention_insight_retained_accounts"]) == (retained or 0), (cohort, insight, interval)
    assert sum(rate is None for *_, rate in expected) > 0 < sum(rate is not None for *_, rate in expected)


def test_lifecycle_metrics_equal_the_state_mart_and_give_the_retention_curves(built, published, tmp_path):
    """Issue 17 items 4 and 5: accounts per lifecycle state and week since sign-up, and the
    active share behind the activation cohorts' retention curves (kpi_lifecycle_states; a
    curve is the same ratio summed over the states)."""
    dims = ["account_week__activation_status", "account_week__week_number"]
    rows = mf_query(
        published,
        ["lifecycle_state_accounts", "lifecycle_active_accounts", "lifecycle_active_share"],
        [*dims, "account_week__lifecycle_state"],
        tmp_path / "states.csv",
    )
    got = {tuple(r[d] for d in [*dims, "account_week__lifecycle_state"]): r for r in rows}
    expected = built.query(
        "select activation_status, week_number, lifecycle_state, state_accounts, active_accounts "
        "from marts.kpi_lifecycle_states"
    )
    assert len(expected) == len(got) > 20
    for status, week, state, accounts, active in expected:
        row = got[(status, str(week), state)]
        assert int(row["lifecycle_state_accounts"]) == accounts, (status, week, state)
        assert same(number(row["lifecycle_active_share"]), active / accounts), (status, week, state)
    curves: dict[tuple, list[int]] = {}
    for r in rows:
        totals = curves.setdefault((r[dims[0]], int(r[dims[1]])), [0, 0])
        totals[0] += int(r["lifecycle_active_accounts"])
        totals[1] += int(r["lifecycle_state_accounts"])
    got_curves = {key: active / accounts for key, (active, accounts) in curves.items()}
    expected_curves = built.query(
        "select activation_status, week_number, sum(active_accounts) / max(week_accounts) "
        "from marts.kpi_lifecycle_states group by all"
    )
    assert len(expected_curves) == len(got_curves) > 10
    for status, week, share in expected_curves:
        assert same(got_curves[(status, week)], share), (status, week)
