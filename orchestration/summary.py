"""Print a short KPI summary of the warehouse: `python -m orchestration.summary`."""

import sys

from orchestration.lib import connect_warehouse, warehouse_path

ACTIVATION_BY_SEGMENT = """
    select
        segment,
        sum(signed_up_accounts) as accounts,
        sum(mature_accounts) as mature,
        sum(immature_accounts) as immature,
        sum(activated_accounts) as activated,
        sum(activated_accounts) / nullif(sum(mature_accounts), 0) as rate
    from marts.kpi_activation_rate
    group by rollup (segment)
    order by segment nulls last
"""

QUARANTINE = """
    select source_table, quarantine_reason, count(*) as rows_quarantined
    from staging.stg_quarantine
    group by all
    order by source_table, rows_quarantined desc
"""


def _percent(value: float | None) -> str:
    return "   n/a" if value is None else f"{value:6.1%}"


def _days(value: float | None) -> str:
    return "   n/a" if value is None else f"{value:6.1f}"


def _time_to_first_value(con) -> list[str]:
    lines = ["Time to first value, days (observed over accounts that reached it; Kaplan-Meier over all):"]
    lines.append(f"  {'segment':<14}{'reached':>8}{'waiting':>9}{'median':>8}{'p90':>8}{'KM median':>11}")
    rows = con.execute(
        "select segment, reached_accounts, censored_accounts, median_days, p90_days, km_median_days "
        "from marts.kpi_time_to_first_value where signup_month = 'all' "
        "order by segment = 'all', segment"
    ).fetchall()
    for segment, reached, waiting, median, p90, km in rows:
        lines.append(
            f"  {segment:<14}{reached:>8}{waiting:>9}  {_days(median)}  {_days(p90)}     {_days(km)}"
        )
    return lines


def _funnels(con) -> list[str]:
    lines = ["Funnels (accounts at each step; conversion from step 1):"]
    rows = con.execute(
        "select funnel_name, step_number, accounts_reached, conversion_from_step_1 "
        "from marts.kpi_funnel_steps order by funnel_name, step_number"
    ).fetchall()
    funnels: dict[str, list[str]] = {}
    for funnel, step, reached, conversion in rows:
        funnels.setdefault(funnel, []).append(f"{step}: {reached} ({conversion:.0%})")
    lines += [f"  {funnel:<20}{'  ->  '.join(steps)}" for funnel, steps in funnels.items()] or ["  none"]
    return lines


def _outcomes(con) -> list[str]:
    lines = ["Outcomes:"]
    month = con.execute(
        "select revenue_month, ending_mrr, logo_churn_rate, net_revenue_retention_12_months "
        "from marts.kpi_mrr_monthly where is_month_complete order by revenue_month desc limit 1"
    ).fetchone()
    if month:
        when, mrr, churn, nrr = month
        lines.append(
            f"  {when:%Y-%m}: MRR {mrr:,.0f}, logo churn {_percent(churn).strip()}, "
            f"net revenue retention (12 months) {_percent(nrr).strip()}"
        )
    for cohort, accounts, arr in con.execute(
        "select activation_cohort, accounts_at_6_months, expansion_arr_6_months_per_account "
        "from marts.kpi_expansion_by_activation where segment = 'all' order by 1"
    ).fetchall():
        lines.append(f"  expansion ARR at 6 months, {cohort}: {arr:,.0f} per account ({accounts} accounts)")
    for variant, rate, difference, low, high, p_value in con.execute(
        "select variant, activation_rate, difference, difference_ci_low, difference_ci_high, p_value "
        "from marts.kpi_onboarding_experiments order by is_control desc, variant"
    ).fetchall():
        versus = (
            "" if difference is None else f", {difference:+.1%} [{low:+.1%}, {high:+.1%}], p = {p_value:.3f}"
        )
        lines.append(f"  experiment {variant}: activation {_percent(rate).strip()}{versus}")
    ((rate, satisfaction, csat, nps),) = con.execute(
        "select onboarding_response_rate, onboarding_satisfaction_average, "
        "csat_average_after_activation, nps from marts.kpi_feedback "
        "where signup_month = 'all' and segment = 'all'"
    ).fetchall() or [(None, None, None, None)]
    lines.append(
        f"  feedback: onboarding satisfaction {_days(satisfaction).strip()} / 5 "
        f"({_percent(rate).strip()} answered), CSAT after activation {_days(csat).strip()} / 5, "
        f"NPS {_days(nps).strip()}"
    )
    return lines


def summary_lines(con) -> list[str]:
    as_of = con.execute("select max(as_of_at) from marts.fct_account_onboarding").fetchone()[0]
    lines = [f"Onboarding KPI summary (data as of {as_of:%Y-%m-%d %H:%M} UTC)", ""]
    lines.append("Activation rate (mature accounts, segment window):")
    lines.append(f"  {'segment':<14}{'accounts':>9}{'mature':>8}{'immature':>10}{'activated':>11}{'rate':>8}")
    for segment, accounts, mature, immature, activated, rate in con.execute(ACTIVATION_BY_SEGMENT).fetchall():
        lines.append(
            f"  {segment or 'all':<14}{accounts:>9}{mature:>8}{immature:>10}{activated:>11}  {_percent(rate)}"
        )
    lines += ["", *_time_to_first_value(con), "", *_funnels(con), "", *_outcomes(con)]
    rows = con.execute(QUARANTINE).fetchall()
    lines += ["", "Quarantined rows (staging.stg_quarantine):"]
    lines += [f"  {table:<14}{reason:<26}{count:>8}" for table, reason, count in rows] or ["  none"]
    return lines


def mart_tables(path) -> list[str]:
    with connect_warehouse(path, read_only=True) as con:
        rows = con.execute(
            "select table_name from information_schema.tables where table_schema = 'marts' order by 1"
        ).fetchall()
    return [f"marts.{name}" for (name,) in rows]


def main() -> int:
    path = warehouse_path()
    if not path.exists():
        print(f"No warehouse at {path}: run `make demo` first.", file=sys.stderr)
        return 1
    with connect_warehouse(path, read_only=True) as con:
        print("\n".join(summary_lines(con)))
    print(f"\nWarehouse: {path}")
    marts = mart_tables(path)
    print(f"  marts: {', '.join(marts)}")
    print("  quarantine: staging.stg_quarantine")
    print("\n".join(["", *published_lines()]))
    return 0


def published_lines() -> list[str]:
    """Where BI and people read the results: the serving snapshot and the reports."""
    from orchestration.reports.build import NAMES, reports_dir
    from orchestration.serving import connect_serving, parquet_current, serving_file

    path = serving_file()
    if not path.exists():
        return [f"Serving snapshot: not published yet ({path})"]
    with connect_serving(path) as con:
        snapshot_id, built_at, tables = con.execute(
            "select any_value(snapshot_id), any_value(built_at), count(*) from serving_snapshot"
        ).fetchone()
    lines = [
        f"Serving snapshot for BI (read-only; {tables} tables, snapshot {snapshot_id}, "
        f"built {built_at:%Y-%m-%d %H:%M} UTC):",
        f"  DuckDB:     {path}",
        f"  Parquet:    {parquet_current()}/",
        f"  SQLAlchemy: duckdb:///{path}  (connect_args={{'read_only': True}})",
        "Reports:",
    ]
    for kind, name in NAMES.items():
        report = reports_dir() / f"{name}.html"
        lines.append(
            f"  {kind:<10}  {report if report.exists() else 'not written yet (' + str(report) + ')'}"
        )
    return lines


if __name__ == "__main__":
    sys.exit(main())
