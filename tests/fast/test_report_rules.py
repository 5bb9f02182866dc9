"""The reports' rules as pure functions: the period a report covers (complete at its last
millisecond), how changes are written (points for rates and scores, no percent on a small
sample), the at-risk section (one line per account with its owner and next step), the
per-segment section, the monthly insights (paths after sign-up, lifecycle states and
retention curves), the templates (autoescape) and the charts (matplotlib, offline,
deterministic)."""

import ast
import datetime as dt
import re
from pathlib import Path

import duckdb
import pytest

from orchestration.lib import markdown_table
from orchestration.reports import charts
from orchestration.reports.content import (
    AT_RISK_TABLE,
    Metric,
    Period,
    at_risk,
    first_incomplete_day,
    last_complete_month,
    last_complete_week,
    lifecycle,
    segments,
    sign_up_paths,
)
from orchestration.reports.page import MIN_SAMPLE, change, nps, number, percent, render, score


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


WEEK = Period("week", dt.date(2026, 3, 2), dt.date(2026, 3, 9), dt.date(2026, 2, 23))


def _actions(at_risk_data, period=WEEK) -> str:
    return render(
        "actions.html.j2", period=period, stalls=[], below=[], at_risk=at_risk_data, MIN_SAMPLE=MIN_SAMPLE
    )


def test_new_at_risk_accounts_are_listed_when_the_alerts_exist_and_said_unavailable_otherwise():
    with duckdb.connect() as con:
        unavailable = at_risk(con, {"kpi_activation_rate"}, WEEK)
        assert unavailable.accounts == [] and unavailable.unavailable.startswith("Not available")
        assert "Not available: this serving snapshot has no table" in _actions(unavailable)
        # A snapshot from before the playbooks: no owner columns, said so, not invented.
        con.execute(
            f"""create table {AT_RISK_TABLE} as select * from (values
                ('acc_1', 'smb', 'milestone_overdue', 'workspace_created due day 7', date '2026-03-03'),
                ('acc_2', 'smb', 'no_login', '4 days', date '2026-02-27'),
                ('acc_<3>', 'enterprise', 'no_login', '5 days', date '2026-03-08'))
                as t(account_id, segment, rule_name, detail, alerted_on)"""
        )
        items = at_risk(con, {AT_RISK_TABLE}, WEEK)
    assert items.unavailable is None and items.alerts == 2
    assert [a["account_id"] for a in items.accounts] == ["acc_1", "acc_<3>"]
    html = _actions(items)
    assert "2 new at-risk accounts during the week (2 alerts):" in html
    assert "acc_&lt;3&gt;" in html and "acc_<3>" not in html  # data is escaped in the HTML
    assert "milestone_overdue" in html and "no playbook in this snapshot" in html


def test_an_account_with_several_alerts_is_one_line_with_its_owner_and_next_step():
    """The at-risk list repeated an account on several lines, with no owner and no next step."""
    with duckdb.connect() as con:
        con.execute(
            f"""create table {AT_RISK_TABLE} as select * from (values
                ('acc_1', 'smb', 'no_login', '4 days', date '2026-03-03', 'lifecycle_marketing',
                 'reengagement_sequence', 'Start the re-engagement sequence', 48, 'send'),
                ('acc_1', 'smb', 'milestone_overdue', 'workspace_created due day 7', date '2026-03-05',
                 'onboarding_csm', 'overdue_milestone_outreach', 'Call about <workspace_created>', 24,
                 'send'),
                ('acc_2', 'mid_market', 'no_login', '5 days', date '2026-03-04', 'lifecycle_marketing',
                 'reengagement_sequence', 'Start the re-engagement sequence', 48, 'overflow'),
                ('acc_1', 'smb', 'milestone_overdue', 'user_invited due day 9', date '2026-03-07',
                 'onboarding_csm', 'overdue_milestone_outreach', 'Call about <user_invited>', 24, 'send'))
                as t(account_id, segment, rule_name, detail, alerted_on, owner_role, playbook_id,
                     playbook_action, expected_within_hours, queue_status)"""
        )
        items = at_risk(con, {AT_RISK_TABLE}, WEEK)
    assert items.alerts == 4 and len(items.accounts) == 2
    first = items.accounts[0]
    assert first["account_id"] == "acc_1" and first["alerts"] == 3
    assert first["rules"] == ["no_login", "milestone_overdue"]
    # The owner and next step of the latest alert's playbook.
    assert (first["owner_role"], first["next_step"], first["expected_within_hours"]) == (
        "onboarding_csm", "Call about <user_invited>", 24,
    )  # fmt: skip
    html = _actions(items)
    table = html[html.index('<table class="at-risk">') : html.index("</table>")]
    assert table.count("<td>acc_1</td>") == 1 and table.count("<tr>") == 3  # header and two accounts
    assert "Call about &lt;user_invited&gt;" in table and "onboarding_csm" in table and "24 h" in table
    assert "2 new at-risk accounts during the week (4 alerts):" in html


def test_score_changes_are_points_not_percent():
    """NPS 0 vs 50 showed "-100%", -26 vs -13 "-99%"."""
    assert change(0, 50, nps) == ("▼ -50 pts", "down")
    assert change(-26, -13, nps) == ("▼ -13 pts", "down")
    assert change(4.2, 3.9, score) == ("▲ +0.30 pts", "up")
    metric = Metric("NPS", 0.0, 50.0, nps, sample=40, previous_sample=35)
    assert metric.change.text == "▼ -50 pts" and metric.shown_current == "0 (n=40)"


def test_a_change_on_a_small_sample_is_marked_not_a_percent():
    """ "Activations 5, +400%": a percent on a base of 1."""
    small = change(5, 1, number)
    assert "%" not in small.text and small.text.startswith("▲ +4") and "small-sample" in small.css
    assert f"1 < {MIN_SAMPLE}" in small.text
    assert change(50, 40, number) == ("▲ +25%", "up")  # enough: a percent
    # A rate keeps its points and its denominator; under the minimum the change is marked.
    rate = Metric("Activation rate", 0.5, 0.25, percent, sample=4, previous_sample=40)
    assert rate.shown_current == "50.0% of 4" and rate.shown_previous == "25.0% of 40"
    assert rate.change.text.startswith("▲ +25.0 pts") and "small-sample" in rate.change.css
    assert Metric("Activation rate", 0.5, 0.25, percent, sample=40, previous_sample=40).change == (
        "▲ +25.0 pts", "up",
    )  # fmt: skip
    html = render("key-metrics.html.j2", key_metrics=[rate], period=WEEK)
    assert '<span class="up small-sample">' in html and "50.0% of 4" in html


def test_the_segment_section_gives_each_segment_its_rates_with_denominators_and_targets():
    with duckdb.connect() as con:
        con.execute(
            """create table fct_account_onboarding as select * from (values
                ('a', '<smb>', timestamp '2026-03-03 10:00'), ('b', '<smb>', timestamp '2026-02-24 10:00'),
                ('c', 'enterprise', timestamp '2026-03-04 10:00')) as t(account_id, segment, signed_up_at);
            create table kpi_activation_rate as select * from (values
                (date '2026-02-01', '<smb>', 8, 10), (date '2026-02-01', 'enterprise', 1, 4))
                as t(signup_month, segment, activated_accounts, mature_accounts);
            create table kpi_onboarding_completion as select * from (values
                (date '2026-02-01', '<smb>', 5, 10))
                as t(signup_month, segment, completed_accounts, mature_accounts);
            create table metric_targets as select * from (values
                ('activation_rate', 'default', 0.6), ('onboarding_completion_rate', 'default', 0.5))
                as t(metric_name, segment, target)"""
        )
        rows = segments(con, set(), WEEK, dt.date(2026, 1, 1))
    by_name = {r["segment"]: r for r in rows}
    assert by_name["<smb>"]["signups"].current == 1 and by_name["<smb>"]["signups"].previous == 1
    assert by_name["<smb>"]["activation"]["rate"] == 0.8 and by_name["<smb>"]["activation"]["mature"] == 10
    assert by_name["enterprise"]["completion"] is None and by_name["enterprise"]["at_risk"] is None
    html = render("segments.html.j2", segments=rows, period=WEEK, cohort_start=dt.date(2026, 1, 1))
    assert "&lt;smb&gt;" in html and "80.0% of 10" in html and "25.0% of 4" in html


def test_charts_are_matplotlib_svg_offline_and_deterministic():
    steps = [("signed <up>", 100), ("activated", 60), ("first value", 15)]
    funnel = charts.funnel_chart("Milestones, smb", steps, highlight="first value")
    assert funnel.startswith('<svg class="chart drawn"') and funnel == charts.funnel_chart(
        "Milestones, smb", steps, highlight="first value"
    )
    assert "drop-off 40 (40%)" in funnel and "drop-off 45 (75%)" in funnel
    assert "signed &lt;up&gt;" in funnel and 'id="chart-funnel-2"' in funnel
    line = charts.line_chart("Rates", ["a", "b"], {"x": [0.5, None]}, fmt=lambda v: f"{v:.0%}")
    bars = charts.bar_chart("Counts", ["a", "b"], {"x": [1, 2], "y": [3, None]})
    for svg in (funnel, line, bars):
        assert "<script" not in svg and "<?xml" not in svg and "DOCTYPE" not in svg
        assert not re.search(r"""(?:src|href)\s*=\s*["']?(?:https?:)?//""", svg)
        assert "@font-face" not in svg and "<image" not in svg  # text stays text: nothing to fetch
    assert 'id="chart-line-0"' in line and 'id="chart-bar-1-0"' in bars


def test_the_insights_draw_sign_up_paths_and_lifecycle_states_and_curves_from_the_mart_rows():
    """Issue 17 item 5: the paths chart (shares of all accounts, "other", "(ended)") and the
    lifecycle flow chart with the activation cohorts' retention curves, on hand-made marts."""
    with duckdb.connect() as con:
        assert sign_up_paths(con, set())["unavailable"].startswith("Not available")
        assert lifecycle(con, set())["unavailable"].startswith("Not available")
        con.execute(
            """create table kpi_paths as
            select * replace (cast(share_of_accounts as double) as share_of_accounts) from (values
                ('first', 'sign_up', 1, 1, 'login', 6, 10, 0.6),
                ('first', 'sign_up', 1, 2, 'other', 3, 10, 0.3),
                ('first', 'sign_up', 1, 3, '(ended)', 1, 10, 0.1),
                ('first', 'sign_up', 2, 1, 'login > <run>', 4, 10, 0.4),
                ('first', 'sign_up', 2, 2, '(ended)', 6, 10, 0.6),
                ('after_x', 'event', 1, 1, 'login', 2, 2, 1.0))
                as t(path_name, start_type, path_level, path_rank, event_path, path_accounts,
                     starting_accounts, share_of_accounts);
            create table kpi_lifecycle_states as select * from (values
                ('activated', 0, 'new', 3, 3), ('not_activated', 0, 'new', 1, 1),
                ('activated', 1, 'engaged', 2, 2), ('activated', 1, 'dormant', 1, 0),
                ('not_activated', 1, 'churned', 1, 0), ('not_activated', 1, 'mystery', 1, 1))
                as t(activation_status, week_number, lifecycle_state, state_accounts, active_accounts)"""
        )
        paths = sign_up_paths(con, {"kpi_paths"})
        states = lifecycle(con, {"kpi_lifecycle_states"}, min_accounts=1)
        # Weeks complete for fewer accounts than the minimum are small samples: left out.
        assert lifecycle(con, {"kpi_lifecycle_states"}, min_accounts=5)["weeks"] == [1]
        assert lifecycle(con, {"kpi_lifecycle_states"})["unavailable"].startswith("No week since sign-up")
        con.execute("delete from kpi_paths where start_type = 'sign_up'")
        assert sign_up_paths(con, {"kpi_paths"})["unavailable"].startswith(
            "No path insight starts at sign-up"
        )
    (first,) = paths["insights"]  # the insight after an event is not drawn
    assert first["name"] == "first" and first["starting_accounts"] == 10
    drawn = [[(p["event_path"], p["share_of_accounts"]) for p in rows] for rows in first["levels"].values()]
    assert drawn == [
        [("login", 0.6), ("other", 0.3), ("(ended)", 0.1)], [("login > <run>", 0.4), ("(ended)", 0.6)]
    ]  # fmt: skip
    chart = first["chart"]
    assert all(
        f'id="chart-path-{level}-{row}"' in chart for level, row in [(1, 0), (1, 1), (1, 2), (2, 0), (2, 1)]
    )
    assert 'id="chart-path-2-2"' not in chart and "60% (6)" in chart and "login &gt; &lt;run&gt;" in chart
    # Each bar as long as its share (0.6, 0.3, 0.1 at level 1).
    widths = {}
    for bar, path in re.findall(r'<g id="chart-path-1-(\d)">\s*<path d="([^"]+)"', chart):
        xs = [float(x) for x in re.findall(r"[ML] ([\d.]+) [\d.]+", path)]
        widths[bar] = max(xs) - min(xs)
    assert widths["0"] / widths["2"] == pytest.approx(6) and widths["1"] / widths["2"] == pytest.approx(3)
    # States in the lifecycle's order (an unknown one last); shares of the week's accounts.
    assert list(states["counts"]) == ["new", "engaged", "dormant", "churned", "mystery"]
    assert states["weeks"] == [0, 1] and states["week_accounts"] == {0: 4, 1: 5}
    assert states["shares"]["engaged"] == {0: 0.0, 1: 0.4}
    # Retention curves: active accounts / accounts of the activation status, each week.
    assert states["curves"] == {"activated": {0: 1.0, 1: 2 / 3}, "not_activated": {0: 1.0, 1: 0.5}}
    assert 'id="chart-stack-4-1"' in states["state_chart"] and 'id="chart-line-1"' in states["curve_chart"]
    # Every week's bar is stacked to 100%, whatever its accounts (4 in week 0, 5 in week 1).
    heights = {}
    for bar, path in re.findall(r'<g id="chart-stack-\d+-(\d+)">\s*<path d="([^"]+)"', states["state_chart"]):
        ys = [float(y) for y in re.findall(r"[ML] [\d.]+ ([\d.]+)", path)]
        heights[bar] = heights.get(bar, 0) + max(ys) - min(ys)
    assert len(heights) == 2 and heights["0"] == pytest.approx(heights["1"])
    html = render("insights.html.j2", paths=paths, lifecycle=states, MIN_SAMPLE=MIN_SAMPLE)
    assert html.count("<svg") == 3 and "(4 in week 0, 5 in week 1; later weeks" in " ".join(html.split())


def test_the_reports_build_no_html_in_python():
    """Issue 13: HTML is written by the templates (autoescape on), not by f-strings."""
    folder = Path(charts.__file__).parent
    for path in folder.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                assert not re.search(r"<(/?)(p|b|li|ul|td|tr|table|h[1-6]|section|span|div)\b", node.value), (
                    path.name, node.value[:80],
                )  # fmt: skip
    assert render("trends.html.j2", trends=["<b>not markup</b>"]).count("&lt;b&gt;") == 1
