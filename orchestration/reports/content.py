"""What the reports say, read from one serving snapshot (a read-only DuckDB connection).

Both reports share the sections below; the weekly one compares a week with the week
before, the monthly one a month with the month before. The period is the last
complete week (Monday to Sunday) or calendar month at the data's as-of instant,
so a report on old sample data is as meaningful as one on today's data. A period is
complete once the as-of reaches its last millisecond (23:59:59.999 of its last day),
the rule of the macro is_period_complete that kpi_mrr_monthly.is_month_complete uses.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from html import escape

from orchestration.reports import charts
from orchestration.reports.page import change, days, number, percent, score, section, table

# A segment is judged against its target only on at least this many mature accounts.
MIN_ACCOUNTS_FOR_TARGET = 5
AT_RISK_TABLE = "fct_at_risk_alerts"


@dataclass(frozen=True)
class Period:
    kind: str  # "week" or "month"
    start: dt.date
    end: dt.date  # exclusive
    previous_start: dt.date

    @property
    def label(self) -> str:
        if self.kind == "month":
            return f"{self.start:%B %Y}"
        return f"week of {self.start:%Y-%m-%d} to {self.end - dt.timedelta(days=1):%Y-%m-%d}"

    @property
    def previous_label(self) -> str:
        return "previous month" if self.kind == "month" else "previous week"


# Timestamps are kept to the millisecond at least: data complete through a day's last
# millisecond completes the day.
LAST_INSTANT = dt.timedelta(milliseconds=1)


def first_incomplete_day(as_of: dt.datetime) -> dt.date:
    """The first day the data does not cover whole: every day before it is complete."""
    return (as_of + LAST_INSTANT).date()


def last_complete_week(as_of: dt.datetime) -> Period:
    edge = first_incomplete_day(as_of)
    monday = edge - dt.timedelta(days=edge.weekday())
    start = monday - dt.timedelta(days=7)
    return Period("week", start, monday, start - dt.timedelta(days=7))


def _month_before(day: dt.date) -> dt.date:
    return (day.replace(day=1) - dt.timedelta(days=1)).replace(day=1)


def last_complete_month(as_of: dt.datetime) -> Period:
    end = first_incomplete_day(as_of).replace(day=1)
    start = _month_before(end)
    return Period("month", start, end, _month_before(start))


def snapshot_info(con) -> dict:
    snapshot_id, built_at, data_as_of = con.execute(
        "select any_value(snapshot_id), any_value(built_at), any_value(data_as_of) from serving_snapshot"
    ).fetchone()
    tables = {name for (name,) in con.execute("select table_name from serving_snapshot").fetchall()}
    return {"snapshot_id": snapshot_id, "built_at": built_at, "data_as_of": data_as_of, "tables": tables}


# --- flows in a period (what happened during the week or month) -----------------------

FLOWS = """
    select
        count(*) filter (where signed_up_at >= $start and signed_up_at < $end) as signups,
        count(*) filter (where activated_at >= $start and activated_at < $end) as activations,
        count(*) filter (where first_value_at >= $start and first_value_at < $end) as first_values
    from fct_account_onboarding
"""

FEEDBACK_FLOWS = """
    select
        count(*) as responses,
        avg(score) filter (where survey_type = 'onboarding_satisfaction') as satisfaction,
        avg(score) filter (where survey_type = 'csat') as csat,
        100.0 * (count(*) filter (where survey_type = 'nps' and score >= 9)
                 - count(*) filter (where survey_type = 'nps' and score <= 6))
            / nullif(count(*) filter (where survey_type = 'nps'), 0) as nps
    from fct_survey_responses
    where submitted_at >= $start and submitted_at < $end
"""


def _period_values(con, sql: str, start: dt.date, end: dt.date) -> dict:
    cursor = con.execute(sql, {"start": start, "end": end})
    names = [d[0] for d in cursor.description]
    return dict(zip(names, cursor.fetchone(), strict=True))


def flows(con, period: Period) -> tuple[dict, dict]:
    return (
        _period_values(con, FLOWS, period.start, period.end),
        _period_values(con, FLOWS, period.previous_start, period.start),
    )


def feedback_flows(con, period: Period) -> tuple[dict, dict]:
    return (
        _period_values(con, FEEDBACK_FLOWS, period.start, period.end),
        _period_values(con, FEEDBACK_FLOWS, period.previous_start, period.start),
    )


# --- cohorts (accounts by sign-up week or month; mature accounts only in rates) ------


def activation_by_cohort(con, kind: str) -> list[tuple]:
    """(cohort start, accounts, mature, immature, rate) per sign-up week or month."""
    column = "signup_week" if kind == "week" else "signup_month"
    return con.execute(
        f"""select {column}, sum(signed_up_accounts), sum(mature_accounts), sum(immature_accounts),
                   sum(activated_accounts) / nullif(sum(mature_accounts), 0)
            from kpi_activation_rate group by 1 order by 1"""
    ).fetchall()


def monthly_cohort_metrics(con) -> dict[dt.date, dict]:
    """Per sign-up month: completion rate, time to first value, day-30 logo retention."""
    metrics: dict[dt.date, dict] = {}
    for month, rate in con.execute(
        """select signup_month, sum(completed_accounts) / nullif(sum(mature_accounts), 0)
           from kpi_onboarding_completion group by 1"""
    ).fetchall():
        metrics.setdefault(month, {})["completion_rate"] = rate
    for month, median, km in con.execute(
        """select cast(signup_month as date), median_days, km_median_days from kpi_time_to_first_value
           where segment = 'all' and signup_month <> 'all'"""
    ).fetchall():
        metrics.setdefault(month, {}).update(ttfv_median=median, ttfv_km_median=km)
    for month, rate in con.execute(
        """select signup_month, sum(retained_accounts) / nullif(sum(mature_accounts), 0)
           from kpi_retention_by_activation where period_kind = 'logo_day' and period_number = 30
           group by 1"""
    ).fetchall():
        metrics.setdefault(month, {})["logo_retention_30"] = rate
    return metrics


def not_computed_reason(con) -> str | None:
    """Why logo retention and revenue are not computed ('no subscription data: ...'), or None."""
    return con.execute(
        """select max(not_computed_reason) from kpi_retention_by_activation where period_kind = 'logo_day'"""
    ).fetchone()[0]


def revenue_months(con) -> list[tuple]:
    return con.execute(
        """select revenue_month, ending_mrr, logo_churn_rate, net_revenue_retention_12_months
           from kpi_mrr_monthly where is_month_complete order by revenue_month"""
    ).fetchall()


# --- sections ---------------------------------------------------------------------------


def key_metrics_section(rows: list[tuple], period: Period) -> str:
    """rows: (metric, current, previous, formatter, note)."""
    body = []
    for name, current, previous, fmt, note in rows:
        text, css = change(current, previous, fmt)
        body.append([name, fmt(current), fmt(previous), f'<span class="{css}">{text}</span>', note])
    headers = ["metric", period.label, period.previous_label, "change", "note"]
    return section("key-metrics", "Key metrics and trends", table(headers, body, raw_html=True))


def funnel_section(con, completion_note: str) -> str:
    parts = [
        "<p>Milestones per segment, over the accounts past their onboarding period "
        "(kpi_milestone_steps): accounts reaching each step and the share of the step before. "
        "The step where accounts stall most is in red.</p>"
    ]
    steps = con.execute(
        """select segment, step_number, milestone_name, reached_accounts, step_conversion,
                  stalled_accounts, is_top_stall_step, mature_accounts
           from kpi_milestone_steps order by segment, step_number"""
    ).fetchall()
    by_segment: dict[str, list[tuple]] = {}
    for row in steps:
        by_segment.setdefault(row[0], []).append(row)
    for segment, rows in by_segment.items():
        stall = next((r[2] for r in rows if r[6]), None)
        parts.append(
            charts.funnel_chart(
                f"Milestones, {segment} ({rows[0][7]} accounts past onboarding)",
                [(r[2], r[3], r[4] if r[1] > 1 else None) for r in rows],
                highlight=stall,
            )
        )
    funnels = con.execute(
        """select funnel_name, step_number, reached_accounts, conversion_from_previous_step,
                  conversion_from_step_1
           from kpi_funnel_steps order by funnel_name, step_number"""
    ).fetchall()
    rows = [[f, str(s), number(n), percent(prev), percent(first)] for f, s, n, prev, first in funnels]
    parts.append("<h3>Funnels (kpi_funnel_steps)</h3>")
    parts.append(table(["funnel", "step", "accounts", "from the step before", "from step 1"], rows))
    parts.append(f"<h3>Onboarding completion</h3><p>{completion_note}</p>")
    return section("funnel", "Funnel drop-offs and completions", "".join(parts))


def feedback_section(con, period: Period) -> str:
    current, previous = feedback_flows(con, period)
    rows = [
        ("Survey responses", current["responses"], previous["responses"], number, ""),
        ("Onboarding satisfaction (1-5)", current["satisfaction"], previous["satisfaction"], score, ""),
        ("CSAT (1-5)", current["csat"], previous["csat"], score, ""),
        ("NPS (-100 to 100)", current["nps"], previous["nps"], number, "promoters 9-10, detractors 0-6"),
    ]
    body = []
    for name, now, before, fmt, note in rows:
        text, css = change(now, before, fmt)
        body.append([name, fmt(now), fmt(before), f'<span class="{css}">{text}</span>', note])
    trend = con.execute(
        """select signup_month, onboarding_satisfaction_average, onboarding_response_rate
           from kpi_feedback where segment = 'all' and signup_month <> 'all' and signup_month < $end
           order by 1 desc limit 12""",
        {"end": period.end.isoformat()},
    ).fetchall()[::-1]
    chart = charts.line_chart(
        "Onboarding satisfaction by sign-up month (average score, 1-5)",
        [str(m)[:7] for m, _, _ in trend],
        {"satisfaction": [s for _, s, _ in trend]},
        fmt=lambda v: f"{v:.1f}",
    )
    content = (
        f"<p>Responses submitted during the {period.kind} (fct_survey_responses), against the "
        f"{period.previous_label}; then satisfaction by sign-up cohort (kpi_feedback).</p>"
        + table(["feedback", period.label, period.previous_label, "change", "note"], body, raw_html=True)
        + chart
        + '<p class="meta">The sentiment of free-text comments and their friction themes: section '
        "Predict and act.</p>"
    )
    return section("feedback", "Feedback and sentiment", content)


def targets_below(con, cohort_start: dt.date, cohort_end: dt.date) -> list[str]:
    """Segments whose activation or completion rate, over the sign-up cohorts from
    cohort_start to cohort_end (exclusive, mature accounts only), is below its target
    (seed metric_targets; segments without their own target use 'default')."""
    sql = """
        with rates as (
            select 'activation_rate' as metric_name, segment, sum(activated_accounts) as hits,
                   sum(mature_accounts) as mature
            from kpi_activation_rate where signup_month >= $start and signup_month < $end group by all
            union all
            select 'onboarding_completion_rate', segment, sum(completed_accounts), sum(mature_accounts)
            from kpi_onboarding_completion where signup_month >= $start and signup_month < $end
            group by all
        )
        select rates.metric_name, rates.segment, rates.hits / rates.mature,
               coalesce(own.target, fallback.target), rates.mature
        from rates
        left join metric_targets as own
            on rates.metric_name = own.metric_name and rates.segment = own.segment
        left join metric_targets as fallback
            on rates.metric_name = fallback.metric_name and fallback.segment = 'default'
        where rates.mature >= $minimum and rates.hits / rates.mature < coalesce(own.target, fallback.target)
        order by rates.metric_name, rates.segment
    """
    rows = con.execute(
        sql, {"start": cohort_start, "end": cohort_end, "minimum": MIN_ACCOUNTS_FOR_TARGET}
    ).fetchall()
    names = {"activation_rate": "activation rate", "onboarding_completion_rate": "onboarding completion rate"}
    last_month = cohort_end - dt.timedelta(days=1)
    return [
        f"Segment <b>{escape(segment)}</b>: {names[metric]} {percent(rate)} "
        f"is below its target {percent(target)} "
        f"({mature} mature accounts signed up {cohort_start:%Y-%m} to {last_month:%Y-%m})."
        for metric, segment, rate, target, mature in rows
    ]


def stall_steps(con) -> list[str]:
    rows = con.execute(
        """select segment, step_number, milestone_name, stalled_accounts, mature_accounts,
                  step_conversion
           from kpi_milestone_steps where is_top_stall_step order by stalled_accounts desc"""
    ).fetchall()
    return [
        f"Segment <b>{escape(segment)}</b> stalls most at step {step} <b>{escape(name)}</b>: "
        f"{stalled} of {mature} "
        f"accounts past onboarding stopped there ({percent(conversion)} of the step before got through)."
        for segment, step, name, stalled, mature, conversion in rows
    ]


def at_risk(con, tables: set[str], period: Period) -> tuple[list[str], str | None]:
    """New at-risk alerts raised during the period, or why there are none to show."""
    if AT_RISK_TABLE not in tables:
        return [], (
            f"Not available: this serving snapshot has no table {AT_RISK_TABLE} (published "
            "before the at-risk alerts existed); the next snapshot will have it."
        )
    rows = con.execute(
        f"""select account_id, segment, rule_name, detail from {AT_RISK_TABLE}
            where alerted_on >= $start and alerted_on < $end order by alerted_on, account_id""",
        {"start": period.start, "end": period.end},
    ).fetchall()
    if not rows:
        return [], f"No new at-risk account during the {period.kind}."
    accounts = len({account for account, _, _, _ in rows})
    shown = [f"<b>{escape(a)}</b> ({escape(s)}): {escape(r)}, {escape(str(d))}" for a, s, r, d in rows[:10]]
    more = [f"... and {len(rows) - 10} more (table {AT_RISK_TABLE})."] if len(rows) > 10 else []
    headline = f"{accounts} new at-risk accounts during the {period.kind} ({len(rows)} alerts):"
    return [headline, *shown, *more], None


def actions_section(con, tables: set[str], period: Period, cohort_start: dt.date) -> tuple[str, list[str]]:
    """Action items derived from the data, and the same as plain sentences (for the summary)."""
    stalls = stall_steps(con)
    below = targets_below(con, cohort_start, period.end)
    risky, unavailable = at_risk(con, tables, period)
    parts = [
        "<h3>Where accounts stall</h3>",
        _list(stalls or ["No stall step: no account past onboarding yet."]),
    ]
    parts += [
        "<h3>Segments below target</h3>",
        _list(below or ["Every segment with enough mature accounts meets its targets."]),
    ]
    parts.append("<h3>New at-risk accounts</h3>")
    parts.append(f'<p class="unavailable">{unavailable}</p>' if unavailable and not risky else _list(risky))
    return section("actions", "Action items", "".join(parts)), [*stalls[:1], *below]


def _list(items: list[str]) -> str:
    return '<ul class="actions">' + "".join(f"<li>{item}</li>" for item in items) + "</ul>"


def summary_section(sentences: list[str]) -> str:
    return section("summary", "Executive summary", _list(sentences))


def cohort_rate_note(rows: list[tuple], start: dt.date) -> tuple[float | None, str]:
    """The activation rate of the cohort starting `start`, and how mature it is."""
    for cohort, accounts, mature, immature, rate in rows:
        if cohort == start:
            return rate, f"{mature} of {accounts} accounts mature" + (
                f", {immature} still in their window" if immature else ""
            )
    return None, "no sign-up in that cohort"


__all__ = ["Period", "days", "number", "percent", "score"]
