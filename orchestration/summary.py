"""A short KPI summary of the warehouse and where the results are: `onboarding summary`."""

import json

import click

from orchestration import settings
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
        "select funnel_name, step_number, reached_accounts, conversion_from_step_1 "
        "from marts.kpi_funnel_steps order by funnel_name, step_number"
    ).fetchall()
    funnels: dict[str, list[str]] = {}
    for funnel, step, reached, conversion in rows:
        funnels.setdefault(funnel, []).append(f"{step}: {reached} ({conversion:.0%})")
    lines += [f"  {funnel:<20} {'  ->  '.join(steps)}" for funnel, steps in funnels.items()] or ["  none"]
    by_type = con.execute(
        "select funnel_order_type, count(distinct funnel_name), count(*) filter (where is_window_elapsed), "
        "count(*) filter (where is_window_elapsed and is_converted) "
        "from marts.fct_funnel_progress group by funnel_order_type order by funnel_order_type"
    ).fetchall()
    if by_type:
        lines.append(
            "  by order type (converted / accounts past the window): "
            + ", ".join(
                f"{order_type} {_percent(converted / mature if mature else None).strip()} "
                f"of {mature} ({funnel_count} funnel{'s' if funnel_count > 1 else ''})"
                for order_type, funnel_count, mature, converted in by_type
            )
        )
    return lines


def _insights(con) -> list[str]:
    """One line per configured retention and path insight, the event-transition matrix and the
    lifecycle states (kpi_retention_insights, kpi_paths, kpi_event_transitions, kpi_lifecycle_states)."""
    lines = ["Insights (retention, paths, transitions, lifecycle):"]
    for insight, cohorts, size, rate in con.execute(
        "select insight_name, count(*), sum(cohort_size), sum(retained_accounts) / sum(cohort_size) "
        "from marts.kpi_retention_insights where interval_number = 1 and retained_accounts is not null "
        "group by insight_name order by insight_name"
    ).fetchall():
        lines.append(
            f"  retention {insight}: interval 1 {_percent(rate).strip()} of {size} accounts "
            f"({cohorts} mature cohorts)"
        )
    for path_name, path, share in con.execute(
        "select path_name, event_path, share_of_accounts from marts.kpi_paths "
        "where path_level = 1 and path_rank = 1 order by path_name"
    ).fetchall():
        lines.append(
            f"  path {path_name}: most common first step {path} ({_percent(share).strip()} of accounts)"
        )
    for status, to_category, probability in con.execute(
        "select activation_status, to_category, sum(transitions) / sum(sum(transitions)) "
        "over (partition by activation_status) from marts.kpi_event_transitions "
        "where from_category = 'core_action' group by activation_status, to_category "
        "qualify row_number() over (partition by activation_status "
        "order by sum(transitions) desc, to_category) = 1 "
        "order by activation_status"
    ).fetchall():
        lines.append(
            f"  transitions, {status}: after a core action, most often {to_category} "
            f"({_percent(probability).strip()})"
        )
    states = con.execute(
        "select week_number, lifecycle_state, "
        "sum(state_accounts) / sum(sum(state_accounts)) over (partition by week_number) "
        "from marts.kpi_lifecycle_states where week_number = 4 group by week_number, lifecycle_state "
        "order by 3 desc, lifecycle_state"
    ).fetchall()
    if states:
        lines.append(
            "  lifecycle, week 4 since sign-up: "
            + ", ".join(f"{state} {_percent(share).strip()}" for _, state, share in states)
        )
    return lines


def _outcomes(con) -> list[str]:
    lines = ["Outcomes:"]
    # Absent is not zero: a metric whose data is missing is named with the reason, not shown as 0.
    (missing,) = con.execute(
        "select max(not_computed_reason) from marts.kpi_retention_by_activation "
        "where period_kind = 'logo_day'"
    ).fetchone()
    if missing:
        lines.append(f"  {missing}")
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
        "select activation_status, mature_accounts, expansion_arr_6_months_per_account "
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


def _engagement(con) -> list[str]:
    lines = ["Engagement, at-risk rescue and milestone discovery:"]
    row = con.execute(
        "select sessions_per_user_in_onboarding, first_session_completion_rate, support_touches_per_account, "
        "signup_abandonment_rate, median_action_to_activation_days from marts.kpi_engagement "
        "where signup_month = 'all' and segment = 'all'"
    ).fetchone()
    if row:
        sessions, first, touches, abandoned, lag = row
        lines.append(
            f"  sessions per user in onboarding {_days(sessions).strip()}, first-session completion "
            f"{_percent(first).strip()}, support touches per account {_days(touches).strip()}, "
            f"sign-up abandonment {_percent(abandoned).strip()}, first action to activation "
            f"{_days(lag).strip()} days (median)"
        )
    top = con.execute(
        "select feature_name, adoption_rate, median_days_to_first_use from marts.kpi_feature_adoption "
        "where segment = 'all' and is_top_3 order by adoption_rank"
    ).fetchall()
    if top:
        lines.append(
            "  top features (first 30 days): "
            + ", ".join(
                f"{name} {_percent(rate).strip()} (median day {_days(days).strip()})"
                for name, rate, days in top
            )
        )
    for rule, alerted, rescued, rate, days in con.execute(
        "select rule_name, alerted_accounts, rescued_accounts, rescue_rate, median_days_to_rescue "
        "from marts.kpi_at_risk_rescue where segment = 'all' order by rule_name = 'any_rule' desc, rule_name"
    ).fetchall():
        lines.append(
            f"  at-risk {rule:<20}{alerted:>5} alerted, {rescued:>4} rescued ({_percent(rate).strip()}), "
            f"median {_days(days).strip()} days to rescue"
        )
    best = con.execute(
        "select segment, candidate_name, retained_share, lift, meets_80_percent_rule "
        "from marts.kpi_activation_candidates where candidate_rank = 1 order by segment = 'all' desc, segment"
    ).fetchall()
    if not best:
        lines.append("  milestone discovery: n/a (no account is 6 months past sign-up yet)")
    for segment, candidate, retained, lift, rule80 in best:
        lines.append(
            f"  best activation candidate, {segment}: {candidate} (retained {_percent(retained).strip()}, "
            f"lift {_days(lift).strip()}{', meets the 80% rule' if rule80 else ''})"
        )
    return lines


TODAYS_ALERTS = """
    select alerts.alerted_at, alerts.account_id, alerts.segment, alerts.rule_names, alerts.detail,
           alerts.playbook_action, alerts.owner_role, alerts.queue_status, alerts.queue_rank,
           alerts.miss_likelihood, alerts.status_page
    from marts.fct_at_risk_alerts as alerts
    cross join intermediate.int_as_of as as_of
    where alerts.alerted_at > as_of.as_of_at - interval 1 day
    order by alerts.queue_status = 'send' desc, alerts.miss_likelihood desc nulls last, alerts.account_id
"""
TOP_ALERTS = 10


def _todays_alerts(con) -> list[str]:
    from orchestration.serving.snapshot import serving_dir

    rows = con.execute(TODAYS_ALERTS).fetchall()
    sent = sum(1 for row in rows if row[7] == "send")
    lines = [
        f"Today's at-risk alerts (a rule first fired in the last 24 hours of data): {len(rows)}, "
        f"{sent} within their owner's daily cap, {len(rows) - sent} overflow (kept, not sent); "
        f"the top {min(TOP_ALERTS, len(rows))} by likelihood of missing activation:"
    ]
    for at, account, segment, rules, detail, action, owner, status, rank, miss, page in rows[:TOP_ALERTS]:
        likelihood = "not scored" if miss is None else f"{miss:.0%} likely to miss activation"
        lines += [
            f"  {at:%Y-%m-%d %H:%M}  {account:<12} {segment:<11} {status} #{rank}, {likelihood}: {rules}",
            f"      why: {detail}",
            f"      playbook ({owner}): {action}",
            f"      status page: {serving_dir() / page}",
        ]
    if not rows:
        lines.append("  none")
    sent_table = con.execute(
        "select count(*) from information_schema.tables where table_schema = 'alerts' "
        "and table_name = 'at_risk_outbox'"
    ).fetchone()[0]
    if sent_table:
        (count,) = con.execute("select count(*) from alerts.at_risk_outbox where status = 'sent'").fetchone()
        lines.append(f"  alerts sent so far (alerts.at_risk_outbox): {count}")
    return lines


def _calibration(text: str | None) -> str:
    if not text:
        return "n/a"
    bands = json.loads(text)
    return ", ".join(
        f"{b['band']}: {b['mean_predicted']:.2f}->{b['observed']:.2f} ({b['rows']})" for b in bands
    )


def _predictions(con) -> list[str]:
    lines = [
        "Predictions (propensity: rolling-origin logistic regression, calibrated; orchestration/predict):"
    ]
    present = con.execute(
        "select count(*) from information_schema.tables where table_schema = 'predict' "
        "and table_name = 'propensity_training_runs'"
    ).fetchone()[0]
    if not present:
        return [
            *lines,
            "  not computed: the prediction step has not run (onboarding predict)",
        ]
    rows = con.execute(
        """select target, model_version, status, auc, brier, base_rate, calibration
           from predict.propensity_training_runs where is_current or model_version = 'backtest'
           order by target, model_version = 'backtest'"""
    ).fetchall()
    for target, version, status, auc, brier, base_rate, calibration in rows:
        where = (
            "backtest over every scored day" if version == "backtest" else f"model of {version}, validation"
        )
        if auc is None:
            lines.append(f"  {target:<19} {where}: n/a ({status})")
            continue
        lines.append(
            f"  {target:<19} {where}: AUC {auc:.3f}, Brier {brier:.3f} "
            f"(base rate {_percent(base_rate).strip()})"
        )
        if version == "backtest":
            lines.append(f"      calibration (predicted->observed, rows): {_calibration(calibration)}")
    alert_precision = con.execute(
        """select alert_precision, base_rate, alerts, sent_alerts, overflow_alerts
           from marts.kpi_at_risk_rescue where rule_name = 'any_rule' and segment = 'all'"""
    ).fetchone()
    if alert_precision:
        p, base, alerts, sent, overflow = alert_precision
        lines.append(
            f"  at-risk alerts: {alerts} raised, {sent} sent, {overflow} overflow; precision "
            f"{_percent(p).strip()} missed activation vs base rate {_percent(base).strip()}"
        )
    early = dict(
        con.execute(
            """select outreach_delay_bucket, rescue_rate from marts.kpi_rescue_by_outreach_delay
               where rule_name = 'any_rule'"""
        ).fetchall()
    )
    if early:
        lines.append(
            "  rescue rate by outreach delay: "
            + ", ".join(
                f"{b} {_percent(early.get(b)).strip()}" for b in ("within_24h", "1_to_3_days", "later")
            )
        )
    themes = con.execute("select word from predict.friction_themes order by theme_rank limit 5").fetchall()
    if themes:
        lines.append(f"  friction themes of low-score comments: {', '.join(w for (w,) in themes)}")
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
    lines += ["", *_time_to_first_value(con), "", *_funnels(con), "", *_insights(con), "", *_outcomes(con)]
    lines += ["", *_engagement(con), "", *_predictions(con), "", *_todays_alerts(con)]
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


@click.command(name="summary")
def summary() -> None:
    """Print the KPI summary of the warehouse and where the results are (what make demo prints)."""
    if settings.command_line_check():
        raise SystemExit(2)
    path = warehouse_path()
    if not path.exists():
        raise click.ClickException(f"No warehouse at {path}: run `make demo` first.")
    with connect_warehouse(path, read_only=True) as con:
        click.echo("\n".join(summary_lines(con)))
    click.echo(f"\nWarehouse: {path}")
    marts = mart_tables(path)
    click.echo(f"  marts: {', '.join(marts)}")
    click.echo("  quarantine: staging.stg_quarantine")
    click.echo("\n".join(["", *published_lines()]))


def published_lines() -> list[str]:
    """Where BI and people read the results: the serving snapshot and the reports."""
    from orchestration.reports.build import NAMES, reports_dir
    from orchestration.serving.snapshot import connect_serving, parquet_current, serving_file

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
    ]
    dashboards = path.parent / "dashboards" / "index.html"  # orchestration/serving/dashboards.py
    if dashboards.exists():
        lines.append(f"  Dashboards: {dashboards}  (bi/dashboards.yml drawn on this snapshot)")
    lines.append("Reports:")
    for kind, name in NAMES.items():
        report = reports_dir() / f"{name}.html"
        lines.append(
            f"  {kind:<10}  {report if report.exists() else 'not written yet (' + str(report) + ')'}"
        )
    return lines
