"""The weekly and monthly reports: built from a serving snapshot of the session's built
warehouse, their figures checked against the marts, then rendered by headless Chromium
(screenshots kept in test-artifacts/). The rules as pure functions:
tests/fast/test_report_rules.py."""

import datetime as dt
import json
import re
from pathlib import Path

import pytest
from matplotlib import image as png

from orchestration.reports.build import BUILDERS, write_report
from orchestration.reports.content import (
    first_incomplete_day,
)
from orchestration.reports.page import MIN_SAMPLE
from orchestration.serving.assets import SERVED
from orchestration.serving.snapshot import connect_serving, publish_snapshot, serving_file
from tests.fast.test_report_rules import BOUNDARIES, LAST_MS
from tests.support.browser import ARTIFACTS, CHROMIUM, chromium
from tests.support.commands import run_dbt

SECTIONS = ["summary", "key-metrics", "trends", "funnel", "feedback", "segments", "predict", "actions"]


def test_the_reports_and_the_marts_judge_complete_periods_alike(built):
    """The dbt macro is_period_complete (kpi_mrr_monthly.is_month_complete) and the
    reports' periods agree at every boundary, with and without the last millisecond."""
    cases = [
        (end, as_of)
        for end in BOUNDARIES.values()
        for as_of in (end - 2 * LAST_MS, end - LAST_MS, end - dt.timedelta(microseconds=1), end)
    ]
    values = ", ".join(f"(timestamp '{end}', timestamp '{as_of}')" for end, as_of in cases)
    query = (
        "select period_end, as_of, {{ is_period_complete('period_end', 'as_of') }} as is_complete "
        f"from (values {values}) as cases (period_end, as_of)"
    )
    output = run_dbt(
        ["show", "--inline", query, "--output", "json", "--limit", "100", "-q"], built.env
    ).stdout
    rows = json.loads(output[output.index("{") :])["show"]
    assert len(rows) == len(cases)
    for row in rows:
        end, as_of = (dt.datetime.fromisoformat(row[k]) for k in ("period_end", "as_of"))
        assert row["is_complete"] == (first_incomplete_day(as_of) >= end.date()), row


@pytest.fixture(scope="module")
def reports(built, tmp_path_factory) -> dict:
    tmp = tmp_path_factory.mktemp("reports")
    snapshot = publish_snapshot(SERVED, "reports", warehouse=built.warehouse, directory=tmp / "serving")
    built_reports = {}
    with connect_serving(serving_file(tmp / "serving")) as con:
        for kind, build in BUILDERS.items():
            report = build(con)
            dated, latest = write_report(report, tmp / "out")
            built_reports[kind] = (report, dated, latest)
    assert {r.snapshot_id for r, _, _ in built_reports.values()} == {snapshot.snapshot_id}
    return built_reports


@pytest.mark.slow
def test_report_figures_equal_the_warehouse(reports, built):
    weekly, _, _ = reports["weekly"]
    metrics = {m.name: (m.current, m.previous) for m in weekly.key_metrics}
    period = weekly.period
    ((signups, previous),) = built.query(
        f"""select count(*) filter (where signed_up_at >= '{period.start}' and signed_up_at < '{period.end}'),
                   count(*) filter (where signed_up_at >= '{period.previous_start}'
                                    and signed_up_at < '{period.start}')
            from marts.fct_account_onboarding"""
    )
    assert metrics["Sign-ups"] == (signups, previous) and signups > 0

    monthly, _, _ = reports["monthly"]
    metrics = {m.name: (m.current, m.previous) for m in monthly.key_metrics}
    rows = built.query(
        "select ending_mrr, logo_churn_rate from marts.kpi_mrr_monthly "
        f"where revenue_month = '{monthly.period.start}'"
    )
    assert rows and metrics["MRR at the month's end"][0] == rows[0][0]
    assert metrics["Logo churn rate"][0] == rows[0][1]
    ((rate,),) = built.query(
        f"""select sum(activated_accounts) / sum(mature_accounts) from marts.kpi_activation_rate
            where signup_month = '{monthly.period.start}'"""
    )
    assert metrics["Activation rate of the month's sign-ups"][0] == pytest.approx(rate)
    # Rates carry their denominators: the month's mature sign-ups.
    ((mature,),) = built.query(
        "select sum(mature_accounts) from marts.kpi_activation_rate "
        f"where signup_month = '{monthly.period.start}'"
    )
    (activation,) = [m for m in monthly.key_metrics if m.name == "Activation rate of the month's sign-ups"]
    assert activation.sample == mature and f"of {mature:,}" in activation.shown_current


def _external_references(html: str) -> list[str]:
    return re.findall(r"""(?:src|href)\s*=\s*["']?(?:https?:)?//[^"' >]+""", html, flags=re.I)


@pytest.mark.slow
@pytest.mark.parametrize("kind", ["weekly", "monthly"])
def test_each_report_is_one_offline_file_with_charts_and_every_section(reports, built, kind):
    report, dated, latest = reports[kind]
    html = dated.read_text()
    assert latest.read_text() == html
    assert "<script" not in html.lower() and _external_references(html) == []
    assert all(f'<section id="{s}">' in html for s in SECTIONS)
    assert html.count("<svg") >= 3
    ((alerts, accounts),) = built.query(
        f"""select count(*), count(distinct account_id) from marts.fct_at_risk_alerts
            where alerted_on >= '{report.period.start}' and alerted_on < '{report.period.end}'"""
    )
    if alerts:
        assert f"{accounts} new at-risk accounts during the {report.period.kind} ({alerts} alerts):" in html
        # One line per account, each with its owner and next step (the playbooks).
        table = html[html.index('<table class="at-risk">') :]
        table = table[: table.index("</table>")]
        assert table.count("<tr>") == 1 + min(accounts, 15)
        assert "no playbook in this snapshot" not in table
    else:
        assert f"No new at-risk account during the {report.period.kind}." in html
    assert "stalls most at step" in html


@pytest.mark.slow
@pytest.mark.skipif(not Path(CHROMIUM).exists(), reason=f"{CHROMIUM} missing (make browser installs it)")
@pytest.mark.parametrize("kind", ["weekly", "monthly"])
def test_each_report_renders_in_chromium(reports, kind):
    _, dated, _ = reports[kind]
    ARTIFACTS.mkdir(exist_ok=True)
    screenshot = ARTIFACTS / f"report-{kind}.png"
    screenshot.unlink(missing_ok=True)
    # --disable-background-networking etc.: the page must render with nothing fetched.
    # Headless Chromium shoots the window only: a window taller than the report (about
    # 14,000 px for the monthly one), whose last rows must be blank, so nothing was cut off.
    shot = chromium(f"--screenshot={screenshot}", dated.as_uri(), size="1100,16000")
    assert shot.returncode == 0, shot.stderr[-2000:]
    assert screenshot.stat().st_size > 30_000
    pixels = png.imread(screenshot)  # rows x columns x channels, values 0..1
    assert pixels.shape[:2] == (16000, 1100)
    bottom = pixels[-300:, :-20, :3]  # the last rows, the scrollbar's column left out
    assert bottom.min() >= 250 / 255, f"the {kind} report is cut off at the screenshot's bottom"
    dom = chromium("--dump-dom", dated.as_uri(), size="1100,16000")
    assert dom.returncode == 0, dom.stderr[-2000:]
    rendered = dom.stdout
    assert all(f'id="{s}"' in rendered for s in SECTIONS)
    # Bars, lines and drawn funnels (matplotlib's artists carry these ids).
    assert rendered.count("<svg") >= 3
    assert all(f'id="chart-{artist}-' in rendered for artist in ("bar", "line", "funnel"))
    assert "Executive summary" in rendered and "Action items" in rendered


@pytest.mark.slow
def test_the_monthly_paths_and_lifecycle_charts_equal_the_marts(reports, built):
    """Issue 17 items 4 and 5: the monthly report draws the top paths after sign-up (shares
    of all accounts, "other" and "(ended)"), the lifecycle states by week since sign-up and
    the activation cohorts' retention curves; its numbers counted again from the facts."""
    monthly, dated, _ = reports["monthly"]
    html = dated.read_text()
    assert (
        '<section id="insights">' in html
        and '<section id="insights">' not in reports["weekly"][1].read_text()
    )
    paths = monthly.insights["paths"]
    names = {
        name
        for (name,) in built.query("select path_name from config.path_insights where start_type = 'sign_up'")
    }
    assert {p["name"] for p in paths["insights"]} == names and names
    for insight in paths["insights"]:
        counts = dict(
            (tuple(key), count)
            for *key, count in built.query(
                "select path_level, event_path, count(*) from marts.fct_account_path_levels "
                f"where path_name = '{insight['name']}' group by all"
            )
        )
        for level, rows in insight["levels"].items():
            assert sum(r["share_of_accounts"] for r in rows) == pytest.approx(1)
            assert sum(r["path_accounts"] for r in rows) == insight["starting_accounts"]
            for i, r in enumerate(rows):
                assert f'id="chart-path-{level}-{i}"' in html
                if r["event_path"] != "other":
                    assert r["path_accounts"] == counts[(level, r["event_path"])], (level, r)
            shown = {r["event_path"] for r in rows} - {"other"}
            other = sum(c for (lvl, path), c in counts.items() if lvl == level and path not in shown)
            assert other == sum(r["path_accounts"] for r in rows if r["event_path"] == "other")
    lifecycle = monthly.insights["lifecycle"]
    # Weeks 0-25 complete for at least MIN_SAMPLE accounts (fewer: small samples, not drawn).
    facts = built.query(
        "select week_number, lifecycle_state, activation_status, count(*), count(*) filter (where is_active) "
        "from marts.fct_account_lifecycle_weeks where week_number < 26 and week_number in ("
        "select week_number from marts.fct_account_lifecycle_weeks group by all "
        f"having count(*) >= {MIN_SAMPLE}) group by all"
    )
    states: dict = {}
    curves: dict = {}
    for week, state, status, accounts, active in facts:
        states[(state, week)] = states.get((state, week), 0) + accounts
        totals = curves.setdefault((status, week), [0, 0])
        totals[0], totals[1] = totals[0] + active, totals[1] + accounts
    drawn = {(s, w): c for s, by_week in lifecycle["counts"].items() for w, c in by_week.items() if c}
    assert drawn == states and len(lifecycle["weeks"]) > 10
    assert {(s, w): a / n for (s, w), (a, n) in curves.items()} == {
        (s, w): v for s, by_week in lifecycle["curves"].items() for w, v in by_week.items() if v is not None
    }
    for s, state in enumerate(lifecycle["counts"]):
        assert all(f'id="chart-stack-{s}-{i}"' in html for i in range(len(lifecycle["weeks"]))), state
    assert all(f'id="chart-line-{i}"' in html for i in range(len(lifecycle["curves"])))
