"""Revenue marts on a generated year and more (the `outcomes` build: the shared
build is too short for six-month and twelve-month figures), against a
plain-Python reference over the generated subscriptions and the planted activation."""

from collections import defaultdict
from datetime import datetime
from decimal import Decimal

import duckdb
import pyarrow.parquet as pq
import pytest

from tests.support.reference import monthly_mrr

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def revenue(outcomes):
    periods = pq.read_table(outcomes.data_dir / "subscriptions" / "subscriptions.parquet").to_pylist()
    for period in periods:
        for column in ("period_start", "period_end"):
            period[column] = None if period[column] is None else datetime.fromisoformat(period[column])
        period["mrr"] = Decimal(str(period["mrr"]))
    (as_of,) = outcomes.query("select as_of_at from intermediate.int_as_of")[0]
    mrr = monthly_mrr(periods, {a["account_id"]: a["signed_up_at"] for a in outcomes.accounts}, as_of)
    return outcomes.warehouse, outcomes.accounts, mrr


def _query(warehouse, sql: str) -> list[tuple]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute(sql).fetchall()


def test_expansion_at_six_months_by_activation_cohort_equals_the_reference(revenue):
    warehouse, accounts, mrr = revenue
    series = defaultdict(list)
    for (account, _month), value in sorted(mrr.items()):
        series[account].append(value)
    expected = defaultdict(lambda: [0, Decimal(0)])
    for row in accounts:
        values = series[row["account_id"]]
        if len(values) < 8:  # month 6 complete: month 7 has begun
            continue
        cohort = "activated" if row["is_activated_in_window"] else "not_activated"
        pairs = zip(values[:6], values[1:7], strict=True)
        added = sum((b - a for a, b in pairs if a > 0 and b > a), Decimal(0))
        expected[cohort][0] += 1
        expected[cohort][1] += 12 * added
    got = {
        cohort: [n, arr]
        for cohort, n, arr in _query(
            warehouse,
            "select activation_cohort, accounts_at_6_months, expansion_arr_6_months "
            "from marts.kpi_expansion_by_activation where segment = 'all'",
        )
    }
    assert got == dict(expected)
    # The generator plants more expansion after activation (10% a month against 1%).
    per_account = {cohort: arr / n for cohort, (n, arr) in got.items()}
    assert per_account["activated"] > per_account["not_activated"]


def test_net_revenue_retention_over_twelve_months_equals_the_reference(revenue):
    warehouse, _, mrr = revenue
    rows = _query(
        warehouse,
        "select revenue_month, net_revenue_retention_12_months from marts.kpi_mrr_monthly "
        "where net_revenue_retention_12_months is not null",
    )
    assert rows, "no month has a year of history"
    for month, nrr in rows:
        year_ago = month.replace(year=month.year - 1)
        base = {account: v for (account, m), v in mrr.items() if m == year_ago and v > 0}
        now = sum(mrr[(account, month)] for account in base)
        assert abs(float(now / sum(base.values())) - nrr) < 1e-9, month


def test_net_revenue_retention_by_signup_cohort_equals_the_reference(revenue):
    warehouse, _, mrr = revenue
    series = defaultdict(list)
    for (account, month), value in sorted(mrr.items()):
        series[account].append((month, value))
    rows = _query(
        warehouse,
        "select signup_month, month_number, net_revenue_retention from marts.kpi_nrr_by_signup_cohort",
    )
    assert len(rows) > 50
    for cohort_month, month_number, nrr in rows:
        cohort = [s for s in series.values() if s[0][0] == cohort_month and s[0][1] > 0]
        start = sum(s[0][1] for s in cohort)
        now = sum(s[month_number][1] for s in cohort)
        assert abs(float(now / start) - nrr) < 1e-9, (cohort_month, month_number)
