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
    Metric,
    Period,
    activation_by_cohort,
    at_risk,
    cohort_rate,
    feedback,
    flows,
    last_complete_month,
    last_complete_week,
    lifecycle,
    milestone_funnels,
    monthly_cohort_metrics,
    named,
    not_computed_reason,
    one,
    product_funnels,
    revenue_months,
    segments,
    sign_up_paths,
    snapshot_info,
    stall_steps,
    targets_below,
)
from orchestration.reports.page import days, money, number, percent, render
from orchestration.reports.predict import predict_data

TREND_PERIODS = 12
NAMES = {"weekly": "weekly_funnel_review", "monthly": "monthly_trend_report"}
SECTIONS = ["summary", "key-metrics", "trends", "funnel", "feedback", "segments", "predict", "actions"]
# The monthly report adds the product insights (paths after sign-up, lifecycle) after the funnels.
MONTHLY_SECTIONS = [*SECTIONS[:4], "insights", *SECTIONS[4:]]


@dataclass
class Report:
    kind: str
    period: Period
    html: str
    key_metrics: list[Metric]
    snapshot_id: str
    insights: dict | None = None  # monthly: {"paths": ..., "lifecycle": ...} as drawn


def reports_dir() -> Path:
    return repo_path(setting("ONBOARDING_REPORTS_DIR"))


def _flow_rows(current: dict, previous: dict) -> list[Metric]:
    return [
        Metric("Sign-ups", current["signups"], previous["signups"], number, "accounts that signed up"),
        Metric("Activations", current["activations"], previous["activations"], number,
               "accounts that reached activation"),
        Metric("First value reached", current["first_values"], previous["first_values"], number, "accounts"),
    ]  # fmt: skip


def _subtitle(info: dict, period: Period) -> str:
    return (
        f"{period.label} · data as of {info['data_as_of']:%Y-%m-%d %H:%M} UTC · serving snapshot "
        f"{info['snapshot_id']} (built {info['built_at']:%Y-%m-%d %H:%M} UTC)"
    )


def _weekly_flows_chart(con, period: Period):
    start = period.start - dt.timedelta(weeks=TREND_PERIODS - 1)
    weeks = [start + dt.timedelta(weeks=i) for i in range(TREND_PERIODS)]
    counts = {
        column: {
            r["week"]: r["accounts"]
            for r in named(
                con.execute(
                    f"""select cast(date_trunc('week', {column}) as date) as week, count(*) as accounts
                    from fct_account_onboarding where {column} >= $start and {column} < $end group by 1""",
                    {"start": start, "end": period.end},
                )
            )
        }
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
    con, kind: str, info: dict, period: Period, metrics: list[Metric], headline: list[Metric], trends: list,
    completion_note: str, cohort_start: dt.date,
) -> Report:  # fmt: skip
    """The page both reports share: summary, key metrics, trends, funnel, feedback,
    segments, predict and act, actions."""
    stalls = stall_steps(con)
    below = targets_below(con, cohort_start, period.end)
    insights = None
    if kind == "monthly":
        insights = {"paths": sign_up_paths(con, info["tables"]), "lifecycle": lifecycle(con, info["tables"])}
    summary = [{"kind": "metric", "metric": m} for m in headline]
    summary += [{"kind": "stall", "row": s} for s in stalls[:1]] + [
        {"kind": "below", "row": b} for b in below
    ]
    html = render(
        "base.html.j2",
        title=TITLES[kind],
        subtitle=_subtitle(info, period),
        sections=MONTHLY_SECTIONS if kind == "monthly" else SECTIONS,
        period=period,
        summary=summary,
        key_metrics=metrics,
        trends=trends,
        milestone_funnels=milestone_funnels(con),
        product_funnels=product_funnels(con),
        completion_note=completion_note,
        feedback=feedback(con, period),
        segments=segments(con, info["tables"], period, cohort_start),
        cohort_start=cohort_start,
        predict=predict_data(con, info["tables"]),
        stalls=stalls,
        below=below,
        at_risk=at_risk(con, info["tables"], period),
        **(insights or {}),
    )
    return Report(kind, period, html, metrics, info["snapshot_id"], insights)


def weekly_report(con) -> Report:
    info = snapshot_info(con)
    period = last_complete_week(info["data_as_of"])
    current, previous = flows(con, period)
    cohorts = activation_by_cohort(con, "week")
    mature = [c for c in cohorts if c["immature"] == 0 and c["mature"] > 0 and c["cohort"] < period.end]
    latest, before = (mature[-1], mature[-2]) if len(mature) > 1 else (None, None)
    metrics = _flow_rows(current, previous)
    if latest:
        metrics.append(
            Metric(
                "Activation rate, latest mature sign-up week",
                latest["rate"],
                before["rate"],
                percent,
                f"sign-ups of the week of {latest['cohort']:%Y-%m-%d} (all {latest['mature']} past their "
                f"window) vs the week of {before['cohort']:%Y-%m-%d}",
                latest["mature"],
                before["mature"],
            )
        )
    recent = [c for c in cohorts if c["cohort"] < period.end][-TREND_PERIODS:]
    trends = [
        _weekly_flows_chart(con, period),
        charts.line_chart(
            "Activation rate by sign-up week (mature accounts)",
            [f"{c['cohort']:%m-%d}" for c in recent],
            {"activation rate": [c["rate"] for c in recent]},
            fmt=lambda v: f"{v:.0%}",
        ),
    ]
    cohort_start = (period.end - dt.timedelta(weeks=TREND_PERIODS)).replace(day=1)
    completion = one(
        con.execute(
            """select sum(completed_accounts) as completed, sum(mature_accounts) as mature,
                  sum(dropped_off_accounts) as dropped
           from kpi_onboarding_completion where signup_month >= $start""",
            {"start": cohort_start},
        )
    )
    completion_note = (
        f"Of the {number(completion['mature'])} accounts signed up since {cohort_start:%Y-%m} and past their "
        f"onboarding period, {number(completion['completed'])} completed every milestone and "
        f"{number(completion['dropped'])} dropped off (kpi_onboarding_completion)."
    )
    return _assemble(con, "weekly", info, period, metrics, metrics, trends, completion_note, cohort_start)


def monthly_report(con) -> Report:
    info = snapshot_info(con)
    period = last_complete_month(info["data_as_of"])
    current, previous = flows(con, period)
    metrics = _flow_rows(current, previous)
    cohorts = activation_by_cohort(con, "month")
    cohort_now, note_now = cohort_rate(cohorts, period.start)
    cohort_before, _ = cohort_rate(cohorts, period.previous_start)
    metrics.append(
        Metric(
            "Activation rate of the month's sign-ups",
            cohort_now and cohort_now["rate"],
            cohort_before and cohort_before["rate"],
            percent,
            note_now,
            cohort_now and cohort_now["mature"],
            cohort_before and cohort_before["mature"],
        )
    )
    by_month = monthly_cohort_metrics(con)
    now, before = by_month.get(period.start, {}), by_month.get(period.previous_start, {})
    missing = not_computed_reason(con)  # absent is not zero: say why, next to the empty figure
    metrics += [
        Metric("Onboarding completion rate", now.get("completion_rate"), before.get("completion_rate"),
               percent, "the month's sign-ups past their onboarding period",
               now.get("completion_mature"), before.get("completion_mature")),
        Metric("Time to first value, median", now.get("ttfv_median"), before.get("ttfv_median"), days,
               f"Kaplan-Meier median {days(now.get('ttfv_km_median'))}"),
        Metric("Day-30 logo retention", now.get("logo_retention_30"), before.get("logo_retention_30"),
               percent, missing or "the month's sign-ups whose day 30 has ended",
               now.get("retention_mature"), before.get("retention_mature")),
    ]  # fmt: skip
    revenue = revenue_months(con)
    mrr_now, mrr_before = revenue.get(period.start, {}), revenue.get(period.previous_start, {})
    metrics += [
        Metric("MRR at the month's end", mrr_now.get("ending_mrr"), mrr_before.get("ending_mrr"), money,
               missing or "kpi_mrr_monthly"),
        Metric("Logo churn rate", mrr_now.get("logo_churn_rate"), mrr_before.get("logo_churn_rate"), percent,
               missing or "customers at the start who churned",
               mrr_now.get("customers_at_start"), mrr_before.get("customers_at_start")),
        Metric("Net revenue retention, 12 months", mrr_now.get("net_revenue_retention_12_months"),
               mrr_before.get("net_revenue_retention_12_months"), percent,
               missing or "n/a before 12 months of history"),
    ]  # fmt: skip
    months = sorted(m for m in by_month if m < period.end)[-TREND_PERIODS:]
    rate_by_month = {c["cohort"]: c["rate"] for c in cohorts}
    labels = [f"{m:%Y-%m}" for m in months]
    revenue_labels = [m for m in sorted(revenue) if m < period.end][-TREND_PERIODS:]
    trends = [
        charts.line_chart(
            "Rates by sign-up month (mature accounts)",
            labels,
            {
                "activation": [rate_by_month.get(m) for m in months],
                "onboarding completion": [by_month[m].get("completion_rate") for m in months],
                "day-30 logo retention": [by_month[m].get("logo_retention_30") for m in months],
            },
            fmt=lambda v: f"{v:.0%}",
        ),
        charts.line_chart(
            "Time to first value by sign-up month (days)",
            labels,
            {
                "median (observed)": [by_month[m].get("ttfv_median") for m in months],
                "Kaplan-Meier median": [by_month[m].get("ttfv_km_median") for m in months],
            },
            fmt=lambda v: f"{v:.1f}",
        ),
        charts.bar_chart(
            "MRR at each month's end",
            [f"{m:%Y-%m}" for m in revenue_labels],
            {"MRR": [revenue[m]["ending_mrr"] for m in revenue_labels]},
            fmt=lambda v: f"{v:,.0f}",
        ),
    ]
    completion_note = (
        f"{percent(now.get('completion_rate'))} of the {period.label} sign-ups past their onboarding "
        f"period completed it ({percent(before.get('completion_rate'))} the month before); "
        "per segment and month in kpi_onboarding_completion."
    )
    cohort_start = _months_back(period.start, 2)
    headline = [metrics[0], metrics[1], metrics[3], metrics[7]]
    return _assemble(con, "monthly", info, period, metrics, headline, trends, completion_note, cohort_start)


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
