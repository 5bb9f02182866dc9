"""The weekly onboarding funnel review and the monthly trend report, each one
self-contained HTML file, built from one serving snapshot.

    onboarding report weekly|monthly     (what the Dagster assets run)
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from pathlib import Path

from orchestration.lib import repo_path, setting
from orchestration.reports import charts
from orchestration.reports.content import (
    Period,
    actions_section,
    activation_by_cohort,
    cohort_rate_note,
    feedback_section,
    flows,
    funnel_section,
    key_metrics_section,
    last_complete_month,
    last_complete_week,
    monthly_cohort_metrics,
    not_computed_reason,
    revenue_months,
    snapshot_info,
    summary_section,
)
from orchestration.reports.page import change, days, number, page, percent, section
from orchestration.reports.predict import predict_section

TREND_PERIODS = 12
NAMES = {"weekly": "weekly_funnel_review", "monthly": "monthly_trend_report"}


@dataclass
class Report:
    kind: str
    period: Period
    html: str
    key_metrics: list[tuple]  # (metric, current, previous, formatter, note)
    snapshot_id: str


def reports_dir() -> Path:
    return repo_path(setting("ONBOARDING_REPORTS_DIR"))


def _flow_rows(current: dict, previous: dict) -> list[tuple]:
    return [
        ("Sign-ups", current["signups"], previous["signups"], number, "accounts that signed up"),
        (
            "Activations",
            current["activations"],
            previous["activations"],
            number,
            "accounts that reached activation",
        ),
        ("First value reached", current["first_values"], previous["first_values"], number, "accounts"),
    ]


def _sentence(name: str, current, previous, fmt, period: Period) -> str:
    text, _ = change(current, previous, fmt)
    return f"{name}: <b>{fmt(current)}</b> ({text} vs the {period.previous_label}, {fmt(previous)})."


def _subtitle(info: dict, period: Period) -> str:
    return (
        f"{period.label} · data as of {info['data_as_of']:%Y-%m-%d %H:%M} UTC · serving snapshot "
        f"{info['snapshot_id']} (built {info['built_at']:%Y-%m-%d %H:%M} UTC)"
    )


def _weekly_flows_chart(con, period: Period) -> str:
    start = period.start - dt.timedelta(weeks=TREND_PERIODS - 1)
    weeks = [start + dt.timedelta(weeks=i) for i in range(TREND_PERIODS)]
    counts = {
        column: dict(
            con.execute(
                f"""select cast(date_trunc('week', {column}) as date), count(*) from fct_account_onboarding
                    where {column} >= $start and {column} < $end group by 1""",
                {"start": start, "end": period.end},
            ).fetchall()
        )
        for column in ("signed_up_at", "activated_at")
    }
    return charts.bar_chart(
        "Sign-ups and activations per week",
        [f"{w:%m-%d}" for w in weeks],
        {
            "sign-ups": [counts["signed_up_at"].get(w, 0) for w in weeks],
            "activations": [counts["activated_at"].get(w, 0) for w in weeks],
        },
        fmt=lambda v: f"{v:.0f}",
    )


TITLES = {"weekly": "Weekly onboarding funnel review", "monthly": "Monthly onboarding trend report"}


def _assemble(
    con, kind: str, info: dict, period: Period, rows: list[tuple], headline: list[tuple], trends: str,
    completion_note: str, cohort_start: dt.date,
) -> Report:  # fmt: skip
    """The page both reports share: summary, key metrics, trends, funnel, feedback, actions."""
    actions, action_sentences = actions_section(con, info["tables"], period, cohort_start)
    summary = [_sentence(name, now, was, fmt, period) for name, now, was, fmt, _ in headline]
    html = page(
        TITLES[kind],
        _subtitle(info, period),
        [
            summary_section(summary + action_sentences),
            key_metrics_section(rows, period),
            section("trends", "Trends", trends),
            funnel_section(con, completion_note),
            feedback_section(con, period),
            predict_section(con, info["tables"]),
            actions,
        ],
    )
    return Report(kind, period, html, rows, info["snapshot_id"])


def weekly_report(con) -> Report:
    info = snapshot_info(con)
    period = last_complete_week(info["data_as_of"])
    current, previous = flows(con, period)
    cohorts = activation_by_cohort(con, "week")
    mature = [row for row in cohorts if row[3] == 0 and row[2] > 0 and row[0] < period.end]
    latest, before = (mature[-1], mature[-2]) if len(mature) > 1 else (None, None)
    rows = _flow_rows(current, previous)
    if latest:
        rows.append(
            (
                "Activation rate, latest mature sign-up week",
                latest[4],
                before[4],
                percent,
                f"sign-ups of the week of {latest[0]:%Y-%m-%d} (all {latest[2]} past their window) "
                f"vs the week of {before[0]:%Y-%m-%d}",
            )
        )
    recent = [row for row in cohorts if row[0] < period.end][-TREND_PERIODS:]
    trends = _weekly_flows_chart(con, period) + charts.line_chart(
        "Activation rate by sign-up week (mature accounts)",
        [f"{row[0]:%m-%d}" for row in recent],
        {"activation rate": [row[4] for row in recent]},
        fmt=lambda v: f"{v:.0%}",
    )
    cohort_start = (period.end - dt.timedelta(weeks=TREND_PERIODS)).replace(day=1)
    completion = con.execute(
        """select sum(completed_accounts), sum(mature_accounts), sum(dropped_off_accounts)
           from kpi_onboarding_completion where signup_month >= $start""",
        {"start": cohort_start},
    ).fetchone()
    completion_note = (
        f"Of the {number(completion[1])} accounts signed up since {cohort_start:%Y-%m} and past their "
        f"onboarding period, {number(completion[0])} completed every milestone and "
        f"{number(completion[2])} dropped off (kpi_onboarding_completion)."
    )
    return _assemble(con, "weekly", info, period, rows, rows, trends, completion_note, cohort_start)


def monthly_report(con) -> Report:
    info = snapshot_info(con)
    period = last_complete_month(info["data_as_of"])
    current, previous = flows(con, period)
    rows = _flow_rows(current, previous)
    cohorts = activation_by_cohort(con, "month")
    rate_now, note_now = cohort_rate_note(cohorts, period.start)
    rate_before, _ = cohort_rate_note(cohorts, period.previous_start)
    rows.append(("Activation rate of the month's sign-ups", rate_now, rate_before, percent, note_now))
    by_month = monthly_cohort_metrics(con)
    missing = not_computed_reason(con)  # absent is not zero: say why, next to the empty figure
    now, before = by_month.get(period.start, {}), by_month.get(period.previous_start, {})
    rows += [
        ("Onboarding completion rate", now.get("completion_rate"), before.get("completion_rate"), percent,
         "the month's sign-ups past their onboarding period"),
        ("Time to first value, median", now.get("ttfv_median"), before.get("ttfv_median"), days,
         f"Kaplan-Meier median {days(now.get('ttfv_km_median'))}"),
        ("Day-30 logo retention", now.get("logo_retention_30"), before.get("logo_retention_30"), percent,
         missing or "the month's sign-ups whose day 30 has ended"),
    ]  # fmt: skip
    revenue = {month: values for month, *values in revenue_months(con)}
    mrr_now, mrr_before = (
        revenue.get(period.start, [None] * 3),
        revenue.get(period.previous_start, [None] * 3),
    )
    rows += [
        ("MRR at the month's end", mrr_now[0], mrr_before[0], number, missing or "kpi_mrr_monthly"),
        ("Logo churn rate", mrr_now[1], mrr_before[1], percent,
         missing or "customers at the start who churned"),
        ("Net revenue retention, 12 months", mrr_now[2], mrr_before[2], percent,
         missing or "n/a before 12 months of history"),
    ]  # fmt: skip
    months = sorted(m for m in by_month if m < period.end)[-TREND_PERIODS:]
    rate_by_month = {row[0]: row[4] for row in cohorts}
    labels = [f"{m:%Y-%m}" for m in months]
    revenue_labels = [m for m in sorted(revenue) if m < period.end][-TREND_PERIODS:]
    trends = (
        charts.line_chart(
            "Rates by sign-up month (mature accounts)",
            labels,
            {
                "activation": [rate_by_month.get(m) for m in months],
                "onboarding completion": [by_month[m].get("completion_rate") for m in months],
                "day-30 logo retention": [by_month[m].get("logo_retention_30") for m in months],
            },
            fmt=lambda v: f"{v:.0%}",
        )
        + charts.line_chart(
            "Time to first value by sign-up month (days)",
            labels,
            {
                "median (observed)": [by_month[m].get("ttfv_median") for m in months],
                "Kaplan-Meier median": [by_month[m].get("ttfv_km_median") for m in months],
            },
            fmt=lambda v: f"{v:.1f}",
        )
        + charts.bar_chart(
            "MRR at each month's end",
            [f"{m:%Y-%m}" for m in revenue_labels],
            {"MRR": [revenue[m][0] for m in revenue_labels]},
            fmt=lambda v: f"{v:,.0f}",
        )
    )
    completion_note = (
        f"{percent(now.get('completion_rate'))} of the {period.label} sign-ups past their onboarding "
        f"period completed it ({percent(before.get('completion_rate'))} the month before); "
        "per segment and month in kpi_onboarding_completion."
    )
    cohort_start = _months_back(period.start, 2)
    headline = [rows[0], rows[1], rows[3], rows[7]]
    return _assemble(con, "monthly", info, period, rows, headline, trends, completion_note, cohort_start)


def _months_back(month: dt.date, count: int) -> dt.date:
    for _ in range(count):
        month = (month - dt.timedelta(days=1)).replace(day=1)
    return month


BUILDERS = {"weekly": weekly_report, "monthly": monthly_report}


def write_report(report: Report, directory: Path | None = None) -> tuple[Path, Path]:
    """The report under its period's name and as the latest one, each written to a
    temporary name and renamed into place. Returns (dated file, latest file)."""
    directory = directory or reports_dir()
    directory.mkdir(parents=True, exist_ok=True)
    name = NAMES[report.kind]
    dated = directory / f"{name}_{report.period.start:%Y-%m-%d}.html"
    latest = directory / f"{name}.html"
    for path in (dated, latest):
        temporary = path.with_name(f".{path.name}.tmp")
        temporary.write_text(report.html, encoding="utf-8")
        os.replace(temporary, path)
    return dated, latest
