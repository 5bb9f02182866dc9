"""The reports' rules as pure functions: the period a report covers (complete at its last
millisecond), how changes are written, the at-risk section."""

import datetime as dt

import duckdb
import pytest

from orchestration.lib import markdown_table
from orchestration.reports.content import (
    AT_RISK_TABLE,
    Period,
    at_risk,
    first_incomplete_day,
    last_complete_month,
    last_complete_week,
)
from orchestration.reports.page import change, number, percent


def test_the_period_is_the_last_complete_week_or_month_before_the_data():
    wednesday = dt.datetime(2026, 3, 11, 15, 0)
    assert last_complete_week(wednesday) == Period(
        "week", dt.date(2026, 3, 2), dt.date(2026, 3, 9), dt.date(2026, 2, 23)
    )
    # On a Monday the week just ended is complete.
    monday = dt.datetime(2026, 3, 9, 0, 30)
    assert last_complete_week(monday).start == dt.date(2026, 3, 2)
    assert last_complete_month(dt.datetime(2026, 3, 1, 0, 10)) == Period(
        "month", dt.date(2026, 2, 1), dt.date(2026, 3, 1), dt.date(2026, 1, 1)
    )
    assert last_complete_month(dt.datetime(2026, 1, 31)).previous_start == dt.date(2025, 11, 1)


LAST_MS = dt.timedelta(milliseconds=1)
# Period ends (exclusive) at each kind of boundary: a day, a week (Monday), a month, a year.
BOUNDARIES = {
    "day": dt.datetime(2026, 3, 11),
    "week": dt.datetime(2026, 11, 30),  # a Monday: the week of 23-29 November ends here
    "month": dt.datetime(2026, 12, 1),
    "year": dt.datetime(2027, 1, 1),
}


@pytest.mark.parametrize("boundary", BOUNDARIES)
def test_data_through_the_last_millisecond_completes_the_period(boundary):
    end = BOUNDARIES[boundary]
    through_last_ms, one_ms_short = end - LAST_MS, end - 2 * LAST_MS
    with_microseconds = end - dt.timedelta(microseconds=1)
    assert first_incomplete_day(through_last_ms) == end.date()
    assert first_incomplete_day(with_microseconds) == end.date()
    assert first_incomplete_day(one_ms_short) == end.date() - dt.timedelta(days=1)
    if boundary == "week":
        assert last_complete_week(through_last_ms).start == dt.date(2026, 11, 23)
        assert last_complete_week(one_ms_short).start == dt.date(2026, 11, 16)
    if boundary in ("month", "year"):
        previous_month = (end.date() - dt.timedelta(days=1)).replace(day=1)
        assert last_complete_month(through_last_ms).start == previous_month
        assert last_complete_month(one_ms_short).end == previous_month


def test_changes_are_points_for_rates_and_percent_for_counts():
    assert change(0.5, 0.4, percent) == ("▲ +10.0 pts", "up")
    assert change(90, 100, number) == ("▼ -10%", "down")
    assert change(5, 0, number) == ("▲ new", "up")
    assert change(None, 3, number) == ("n/a", "flat")
    assert markdown_table(["a", "b"], [("x|y", 0.12345), (None, 2)]) == (
        "| a | b |\n|---|---|\n| x\\|y | 0.123 |\n|  | 2 |"
    )


def test_new_at_risk_accounts_are_listed_when_the_alerts_exist_and_said_unavailable_otherwise():
    week = Period("week", dt.date(2026, 3, 2), dt.date(2026, 3, 9), dt.date(2026, 2, 23))
    with duckdb.connect() as con:
        items, unavailable = at_risk(con, {"kpi_activation_rate"}, week)
        assert items == [] and unavailable.startswith("Not available")
        con.execute(
            f"""create table {AT_RISK_TABLE} as select * from (values
                ('acc_1', 'smb', 'milestone_overdue', 'workspace_created due day 7', date '2026-03-03'),
                ('acc_2', 'smb', 'no_login', '4 days', date '2026-02-27'),
                ('acc_<3>', 'enterprise', 'no_login', '5 days', date '2026-03-08'))
                as t(account_id, segment, rule_name, detail, alerted_on)"""
        )
        items, unavailable = at_risk(con, {AT_RISK_TABLE}, week)
    assert unavailable is None
    assert items[0] == "2 new at-risk accounts during the week (2 alerts):"
    assert "acc_1" in items[1] and "milestone_overdue" in items[1]
    assert "acc_&lt;3&gt;" in items[2]  # data is escaped in the HTML
