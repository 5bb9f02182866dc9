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
from collections.abc import Callable
from dataclasses import dataclass, field

from orchestration.reports import charts
from orchestration.reports.page import MIN_SAMPLE, Change, change, days, money, nps, number, percent, score

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


def named(cursor) -> list[dict]:
    """A query's rows as dicts named by the cursor's columns (no positional indexing):
    `named(con.execute(SQL, params))`. The SQL stays at the call, where the SQL guard
    (tests/support/sql_guard.py) sees it."""
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def one(cursor) -> dict:
    (row,) = named(cursor)
    return row


def columns_of(con, table: str) -> set[str]:
    query = "select column_name from information_schema.columns where table_name = $t"
    return {row["column_name"] for row in named(con.execute(query, {"t": table}))}


@dataclass(frozen=True)
class Metric:
    """One figure of a period against the previous one. sample / previous_sample: the
    accounts or responses behind a rate or a score (the rate's denominator); None for
    counts (their own sample) and amounts."""

    name: str
    current: float | None
    previous: float | None
    fmt: Callable
    note: str = ""
    sample: int | None = None
    previous_sample: int | None = None

    @property
    def change(self) -> Change:
        samples = [s for s in (self.sample, self.previous_sample) if s is not None]
        return change(self.current, self.previous, self.fmt, min(samples) if samples else None)

    def _shown(self, value, sample) -> str:
        if sample is None or value is None:
            return self.fmt(value)
        if self.fmt is percent:
            return f"{percent(value)} of {number(sample)}"
        return f"{self.fmt(value)} (n={number(sample)})"

    @property
    def shown_current(self) -> str:
        return self._shown(self.current, self.sample)

    @property
    def shown_previous(self) -> str:
        return self._shown(self.previous, self.previous_sample)


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
        count(*) filter (where survey_type = 'onboarding_satisfaction') as satisfaction_responses,
        avg(score) filter (where survey_type = 'csat') as csat,
        count(*) filter (where survey_type = 'csat') as csat_responses,
        100.0 * (count(*) filter (where survey_type = 'nps' and score >= 9)
                 - count(*) filter (where survey_type = 'nps' and score <= 6))
            / nullif(count(*) filter (where survey_type = 'nps'), 0) as nps,
        count(*) filter (where survey_type = 'nps') as nps_responses
    from fct_survey_responses
    where submitted_at >= $start and submitted_at < $end
"""


def _period_values(con, sql: str, start: dt.date, end: dt.date) -> dict:
    return one(con.execute(sql, {"start": start, "end": end}))


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


def activation_by_cohort(con, kind: str) -> list[dict]:
    """Per sign-up week or month: cohort, accounts, mature, immature, activated, rate."""
    column = "signup_week" if kind == "week" else "signup_month"
    return named(
        con.execute(f"""
            select {column} as cohort, sum(signed_up_accounts) as accounts, sum(mature_accounts) as mature,
                   sum(immature_accounts) as immature, sum(activated_accounts) as activated,
                   sum(activated_accounts) / nullif(sum(mature_accounts), 0) as rate
            from kpi_activation_rate group by 1 order by 1""")
    )


def monthly_cohort_metrics(con) -> dict[dt.date, dict]:
    """Per sign-up month: completion rate, time to first value, day-30 logo retention,
    each with the mature accounts it is measured on."""
    metrics: dict[dt.date, dict] = {}
    for row in named(
        con.execute("""
            select signup_month as month, sum(completed_accounts) / nullif(sum(mature_accounts), 0) as rate,
                  sum(mature_accounts) as mature
           from kpi_onboarding_completion group by 1""")
    ):
        metrics.setdefault(row["month"], {}).update(
            completion_rate=row["rate"], completion_mature=row["mature"]
        )
    for row in named(
        con.execute("""select cast(signup_month as date) as month, median_days, km_median_days
           from kpi_time_to_first_value where segment = 'all' and signup_month <> 'all'""")
    ):
        metrics.setdefault(row["month"], {}).update(
            ttfv_median=row["median_days"], ttfv_km_median=row["km_median_days"]
        )
    for row in named(
        con.execute("""
            select signup_month as month, sum(retained_accounts) / nullif(sum(mature_accounts), 0) as rate,
                  sum(mature_accounts) as mature
           from kpi_retention_by_activation where period_kind = 'logo_day' and period_number = 30
           group by 1""")
    ):
        metrics.setdefault(row["month"], {}).update(
            logo_retention_30=row["rate"], retention_mature=row["mature"]
        )
    return metrics


def not_computed_reason(con) -> str | None:
    """Why logo retention and revenue are not computed ('no subscription data: ...'), or None."""
    return con.execute(
        """select max(not_computed_reason) from kpi_retention_by_activation where period_kind = 'logo_day'"""
    ).fetchone()[0]


def revenue_months(con) -> dict[dt.date, dict]:
    return {
        row["revenue_month"]: row
        for row in named(
            con.execute("""select revenue_month, ending_mrr, logo_churn_rate, customers_at_start,
                      net_revenue_retention_12_months
               from kpi_mrr_monthly where is_month_complete order by revenue_month""")
        )
    }


# --- sections' data ----------------------------------------------------------------------


def milestone_funnels(con) -> list[dict]:
    """Per segment: its mature accounts, the step where accounts stall most, the drawn funnel."""
    steps = named(
        con.execute("""
            select segment, step_number, milestone_name, reached_accounts, step_conversion,
                  stalled_accounts, is_top_stall_step, mature_accounts
           from kpi_milestone_steps order by segment, step_number""")
    )
    by_segment: dict[str, list[dict]] = {}
    for step in steps:
        by_segment.setdefault(step["segment"], []).append(step)
    funnels = []
    for segment, segment_steps in by_segment.items():
        stall = next((s["milestone_name"] for s in segment_steps if s["is_top_stall_step"]), None)
        mature = segment_steps[0]["mature_accounts"]
        funnels.append(
            {
                "segment": segment,
                "mature": mature,
                "stall": stall,
                "chart": charts.funnel_chart(
                    f"Milestones, {segment} ({mature} accounts past onboarding)",
                    [(s["milestone_name"], s["reached_accounts"]) for s in segment_steps],
                    highlight=stall,
                ),
            }
        )
    return funnels


def product_funnels(con) -> list[dict]:
    """Per funnel of kpi_funnel_steps: its steps with the drop-off from the step before, drawn."""
    steps = named(
        con.execute("""select funnel_name, step_number, reached_accounts, conversion_from_previous_step,
                  conversion_from_step_1
           from kpi_funnel_steps order by funnel_name, step_number""")
    )
    by_funnel: dict[str, list[dict]] = {}
    for step in steps:
        funnel = by_funnel.setdefault(step["funnel_name"], [])
        before = funnel[-1]["reached_accounts"] if funnel else None
        step["dropped"] = None if before is None else before - step["reached_accounts"]
        funnel.append(step)
    return [
        {
            "name": name,
            "steps": funnel,
            "chart": charts.funnel_chart(
                f"Funnel {name}", [(f"step {s['step_number']}", s["reached_accounts"]) for s in funnel]
            ),
        }
        for name, funnel in by_funnel.items()
    ]


# --- product insights: paths after sign-up, lifecycle states, retention curves ------------

PATHS_TABLE = "kpi_paths"
LIFECYCLE_TABLE = "kpi_lifecycle_states"
# The states in their order of the lifecycle (kpi_lifecycle_states.yml); another state a
# future model adds is drawn after them.
LIFECYCLE_STATES = [
    "new", "onboarding", "activated", "engaged", "at_risk", "dormant", "resurrected", "churned"
]  # fmt: skip
LIFECYCLE_WEEKS = 26  # weeks since sign-up drawn (0 .. 25): half a year


def _missing(table: str) -> str:
    return (
        f"Not available: this serving snapshot has no table {table} (published before the "
        "insights existed); the next snapshot will have it."
    )


def sign_up_paths(con, tables: set[str]) -> dict:
    """The path insights that start at sign-up (kpi_paths.start_type = 'sign_up'): per
    insight and level, its top paths, "other" and "(ended)" with their share of all
    accounts (each level sums to 1), drawn."""
    if PATHS_TABLE not in tables or "start_type" not in columns_of(con, PATHS_TABLE):
        return {"insights": [], "unavailable": _missing(PATHS_TABLE)}
    rows = named(
        con.execute(f"""select path_name, path_level, path_rank, event_path, path_accounts, starting_accounts,
                   share_of_accounts
            from {PATHS_TABLE} where start_type = 'sign_up' order by path_name, path_level, path_rank""")
    )
    by_insight: dict[str, dict[int, list[dict]]] = {}
    for row in rows:
        by_insight.setdefault(row["path_name"], {}).setdefault(row["path_level"], []).append(row)
    insights = []
    for name, levels in by_insight.items():
        accounts = next(iter(levels.values()))[0]["starting_accounts"]
        drawn = [
            (level, [(p["event_path"], p["share_of_accounts"], p["path_accounts"]) for p in paths])
            for level, paths in levels.items()
        ]
        insights.append(
            {
                "name": name,
                "starting_accounts": accounts,
                "levels": levels,
                "chart": charts.path_chart(
                    f"Paths after sign-up, {name}: share of all {accounts:,} accounts per level", drawn
                ),
            }
        )
    unavailable = None if insights else "No path insight starts at sign-up (seeds/path_insights.csv)."
    return {"insights": insights, "unavailable": unavailable}


def lifecycle(con, tables: set[str], min_accounts: int = MIN_SAMPLE) -> dict:
    """Weeks 0 .. LIFECYCLE_WEEKS - 1 since sign-up (kpi_lifecycle_states) that at least
    min_accounts accounts have complete (later weeks, on fewer accounts, are small samples
    and left out): accounts in each state (all activation statuses together), drawn as 100%
    stacked bars; and per activation status the share of accounts active each week
    (active_accounts / week_accounts): the activation cohorts' retention curves."""
    if LIFECYCLE_TABLE not in tables:
        return {"weeks": [], "unavailable": _missing(LIFECYCLE_TABLE)}
    # Weeks complete for at least min_accounts accounts, all activation statuses together.
    weeks = [
        r["week_number"]
        for r in named(
            con.execute(
                f"""select week_number from {LIFECYCLE_TABLE} where week_number < $weeks
                group by week_number having sum(state_accounts) >= $min_accounts order by week_number""",
                {"weeks": LIFECYCLE_WEEKS, "min_accounts": min_accounts},
            )
        )
    ]
    if not weeks:
        return {
            "weeks": [],
            "unavailable": f"No week since sign-up is complete for at least {min_accounts} accounts yet.",
        }
    by_state = named(
        con.execute(
            f"""select week_number, lifecycle_state, sum(state_accounts) as state_accounts,
                sum(sum(state_accounts)) over (partition by week_number) as week_accounts
            from {LIFECYCLE_TABLE} where list_contains($weeks, week_number)
            group by week_number, lifecycle_state order by week_number, lifecycle_state""",
            {"weeks": weeks},
        )
    )
    by_status = named(
        con.execute(
            f"""select activation_status, week_number,
                sum(active_accounts) / sum(state_accounts) as active_share
            from {LIFECYCLE_TABLE} where list_contains($weeks, week_number)
            group by activation_status, week_number order by activation_status, week_number""",
            {"weeks": weeks},
        )
    )
    present = {r["lifecycle_state"] for r in by_state}
    states = [s for s in LIFECYCLE_STATES if s in present] + sorted(present - set(LIFECYCLE_STATES))
    counts = {state: dict.fromkeys(weeks, 0) for state in states}
    shares = {state: dict.fromkeys(weeks, 0.0) for state in states}
    week_accounts = {}
    for r in by_state:
        counts[r["lifecycle_state"]][r["week_number"]] = r["state_accounts"]
        shares[r["lifecycle_state"]][r["week_number"]] = r["state_accounts"] / r["week_accounts"]
        week_accounts[r["week_number"]] = r["week_accounts"]
    curves: dict[str, dict[int, float | None]] = {}
    for r in by_status:
        curves.setdefault(r["activation_status"], dict.fromkeys(weeks))[r["week_number"]] = r["active_share"]
    labels = [str(w) for w in weeks]
    return {
        "weeks": weeks,
        "unavailable": None,
        "counts": counts,
        "week_accounts": week_accounts,
        "shares": shares,
        "curves": curves,
        "state_chart": charts.stacked_share_chart(
            "Lifecycle states by week since sign-up (share of the accounts whose week is complete)",
            labels,
            {state: [counts[state][w] for w in weeks] for state in states},
        ),
        "curve_chart": charts.line_chart(
            "Active share by week since sign-up, per activation status (retention curves)",
            labels,
            {status: [curve[w] for w in weeks] for status, curve in curves.items()},
            fmt=lambda v: f"{v:.0%}",
        ),
    }


def feedback(con, period: Period) -> dict:
    current, previous = feedback_flows(con, period)
    metrics = [
        Metric("Survey responses", current["responses"], previous["responses"], number),
        Metric("Onboarding satisfaction (1-5)", current["satisfaction"], previous["satisfaction"], score,
               "average score", current["satisfaction_responses"], previous["satisfaction_responses"]),
        Metric("CSAT (1-5)", current["csat"], previous["csat"], score, "average score",
               current["csat_responses"], previous["csat_responses"]),
        Metric("NPS (-100 to 100)", current["nps"], previous["nps"], nps, "promoters 9-10, detractors 0-6",
               current["nps_responses"], previous["nps_responses"]),
    ]  # fmt: skip
    trend = named(
        con.execute(
            """select signup_month, onboarding_satisfaction_average as satisfaction
           from kpi_feedback where segment = 'all' and signup_month <> 'all' and signup_month < $end
           order by 1 desc limit 12""",
            {"end": period.end.isoformat()},
        )
    )[::-1]
    chart = charts.line_chart(
        "Onboarding satisfaction by sign-up month (average score, 1-5)",
        [str(t["signup_month"])[:7] for t in trend],
        {"satisfaction": [t["satisfaction"] for t in trend]},
        fmt=lambda v: f"{v:.1f}",
    )
    return {"metrics": metrics, "chart": chart}


def targets_below(con, cohort_start: dt.date, cohort_end: dt.date) -> list[dict]:
    """Segments whose activation or completion rate, over the sign-up cohorts from
    cohort_start to cohort_end (exclusive, mature accounts only), is below its target
    (seed metric_targets; segments without their own target use 'default')."""
    return [
        {**row, "first_month": cohort_start, "last_month": cohort_end - dt.timedelta(days=1)}
        for row in segment_rates(con, cohort_start, cohort_end)
        if row["mature"] >= MIN_ACCOUNTS_FOR_TARGET
        and row["target"] is not None
        and row["rate"] < row["target"]
    ]


SEGMENT_RATES = """
    with rates as (
        select 'activation_rate' as metric_name, segment, sum(activated_accounts) as hits,
               sum(mature_accounts) as mature
        from kpi_activation_rate where signup_month >= $start and signup_month < $end group by all
        union all
        select 'onboarding_completion_rate', segment, sum(completed_accounts), sum(mature_accounts)
        from kpi_onboarding_completion where signup_month >= $start and signup_month < $end
        group by all
    )
    select rates.metric_name, rates.segment, rates.hits / nullif(rates.mature, 0) as rate,
           coalesce(own.target, fallback.target) as target, rates.hits, rates.mature
    from rates
    left join metric_targets as own
        on rates.metric_name = own.metric_name and rates.segment = own.segment
    left join metric_targets as fallback
        on rates.metric_name = fallback.metric_name and fallback.segment = 'default'
    order by rates.metric_name, rates.segment
"""
RATE_NAMES = {
    "activation_rate": "activation rate",
    "onboarding_completion_rate": "onboarding completion rate",
}


def segment_rates(con, cohort_start: dt.date, cohort_end: dt.date) -> list[dict]:
    return [
        {**row, "metric": RATE_NAMES[row["metric_name"]]}
        for row in named(con.execute(SEGMENT_RATES, {"start": cohort_start, "end": cohort_end}))
    ]


def segments(con, tables: set[str], period: Period, cohort_start: dt.date) -> list[dict]:
    """One row per segment: sign-ups in the period and the one before, the activation and
    completion rates of the recent mature cohorts against their targets (with their
    denominators), the accounts alerted as at risk during the period."""
    signups = {
        r["segment"]: r
        for r in named(
            con.execute(
                """select segment,
                      count(*) filter (where signed_up_at >= $start and signed_up_at < $end) as current,
                      count(*) filter (where signed_up_at >= $previous and signed_up_at < $start) as previous
               from fct_account_onboarding group by 1""",
                {"start": period.start, "end": period.end, "previous": period.previous_start},
            )
        )
    }
    at_risk_accounts = {}
    if AT_RISK_TABLE in tables:
        at_risk_accounts = {
            r["segment"]: r["accounts"]
            for r in named(
                con.execute(
                    f"""select segment, count(distinct account_id) as accounts from {AT_RISK_TABLE}
                    where alerted_on >= $start and alerted_on < $end group by 1""",
                    {"start": period.start, "end": period.end},
                )
            )
        }
    rates: dict[str, dict] = {}
    for rate in segment_rates(con, cohort_start, period.end):
        rates.setdefault(rate["segment"], {})[rate["metric_name"]] = rate
    names = sorted(set(signups) | set(rates))
    return [
        {
            "segment": name,
            "signups": Metric(
                "Sign-ups",
                signups.get(name, {}).get("current", 0),
                signups.get(name, {}).get("previous", 0),
                number,
            ),
            "activation": rates.get(name, {}).get("activation_rate"),
            "completion": rates.get(name, {}).get("onboarding_completion_rate"),
            "at_risk": at_risk_accounts.get(name, 0) if AT_RISK_TABLE in tables else None,
        }  # fmt: skip
        for name in names
    ]


def stall_steps(con) -> list[dict]:
    return named(
        con.execute("""
            select segment, step_number, milestone_name, stalled_accounts, mature_accounts,
                  step_conversion
           from kpi_milestone_steps where is_top_stall_step order by stalled_accounts desc""")
    )


@dataclass
class AtRisk:
    """The period's at-risk alerts grouped by account (one line per account, its owner
    and next step from the latest alert's playbook), or why there are none to show."""

    accounts: list[dict] = field(default_factory=list)
    alerts: int = 0
    unavailable: str | None = None
    shown: int = 15


AT_RISK_COLUMNS = ["account_id", "segment", "rule_name", "detail", "alerted_on", "owner_role", "playbook_id",
                   "playbook_action", "expected_within_hours", "queue_status"]  # fmt: skip


def at_risk(con, tables: set[str], period: Period) -> AtRisk:
    """New at-risk alerts raised during the period, one entry per account."""
    if AT_RISK_TABLE not in tables:
        return AtRisk(unavailable=(
            f"Not available: this serving snapshot has no table {AT_RISK_TABLE} (published "
            "before the at-risk alerts existed); the next snapshot will have it."
        ))  # fmt: skip
    present = columns_of(con, AT_RISK_TABLE)
    # A snapshot published before the playbooks has no owner or action: said, not invented.
    selected = ", ".join(c if c in present else f"null as {c}" for c in AT_RISK_COLUMNS)
    alerts = named(
        con.execute(
            f"""select {selected} from {AT_RISK_TABLE}
            where alerted_on >= $start and alerted_on < $end order by alerted_on, account_id""",
            {"start": period.start, "end": period.end},
        )
    )
    if not alerts:
        return AtRisk(unavailable=f"No new at-risk account during the {period.kind}.")
    accounts: dict[str, dict] = {}
    for alert in alerts:  # in alert order: the last one seen is the latest
        account = accounts.setdefault(
            alert["account_id"],
            {"account_id": alert["account_id"], "segment": alert["segment"], "alerts": 0, "rules": [],
             "first_alerted_on": alert["alerted_on"]},
        )  # fmt: skip
        account["alerts"] += 1
        if alert["rule_name"] not in account["rules"]:
            account["rules"].append(alert["rule_name"])
        account.update(
            last_alerted_on=alert["alerted_on"],
            detail=alert["detail"],
            owner_role=alert["owner_role"],
            next_step=alert["playbook_action"],
            expected_within_hours=alert["expected_within_hours"],
            queue_status=alert["queue_status"],
        )
    ordered = sorted(accounts.values(), key=lambda a: (-a["alerts"], a["account_id"]))
    return AtRisk(accounts=ordered, alerts=len(alerts))


def cohort_rate(cohorts: list[dict], start: dt.date) -> tuple[dict | None, str]:
    """The cohort starting `start` (activation rate and mature accounts), and how mature it is."""
    for cohort in cohorts:
        if cohort["cohort"] == start:
            return cohort, f"{cohort['mature']} of {cohort['accounts']} accounts mature" + (
                f", {cohort['immature']} still in their window" if cohort["immature"] else ""
            )
    return None, "no sign-up in that cohort"


__all__ = ["MIN_SAMPLE", "Metric", "Period", "days", "money", "nps", "number", "percent", "score"]
