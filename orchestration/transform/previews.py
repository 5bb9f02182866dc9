"""Previews of the KPI marts in Dagster: each kpi_ materialization carries its row count
and a small markdown table of its headline figures (shown on the asset's page).

The warehouse cannot be read while dbt writes it, so the kpi_ outputs of a dbt build
are held back until dbt has exited, then sent with their preview (the checks of those
assets with them, after their output)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from dagster import AssetCheckResult, AssetExecutionContext, MetadataValue, Output

from orchestration.lib import connect_warehouse, markdown_table
from orchestration.sql import quote_identifier

# The headline figures of each KPI mart; any other kpi_ mart shows its first rows.
HEADLINES = {
    "kpi_activation_rate": """
        select coalesce(segment, 'all') as segment, sum(mature_accounts) as mature,
               sum(activated_accounts) as activated,
               round(sum(activated_accounts) / nullif(sum(mature_accounts), 0), 3) as activation_rate
        from marts.kpi_activation_rate group by rollup (segment) order by grouping(segment), 1""",
    "kpi_time_to_first_value": """
        select segment, reached_accounts, censored_accounts, round(median_days, 2) as median_days,
               round(p90_days, 2) as p90_days, round(km_median_days, 2) as km_median_days
        from marts.kpi_time_to_first_value where signup_month = 'all' order by segment = 'all', segment""",
    "kpi_onboarding_completion": """
        select coalesce(segment, 'all') as segment, sum(mature_accounts) as mature,
               round(sum(completed_accounts) / nullif(sum(mature_accounts), 0), 3) as completion_rate
        from marts.kpi_onboarding_completion group by rollup (segment) order by grouping(segment), 1""",
    "kpi_retention_by_activation": """
        select activation_status, period_number as day, sum(mature_accounts) as mature,
               round(sum(retained_accounts) / nullif(sum(mature_accounts), 0), 3) as logo_retention
        from marts.kpi_retention_by_activation where period_kind = 'logo_day' group by all order by 1, 2""",
    "kpi_milestone_steps": """
        select config_segment, step_number, milestone_name, reached_accounts,
               round(step_conversion, 3) as step_conversion, is_top_stall_step
        from marts.kpi_milestone_steps order by 1, 2""",
    "kpi_funnel_steps": """
        select funnel_name, step_number, accounts_reached, round(conversion_from_step_1, 3) as from_step_1
        from marts.kpi_funnel_steps order by 1, 2""",
    "kpi_mrr_monthly": """
        select revenue_month, ending_mrr, round(logo_churn_rate, 3) as logo_churn_rate,
               round(net_revenue_retention_12_months, 3) as nrr_12_months
        from marts.kpi_mrr_monthly order by revenue_month desc limit 6""",
    "kpi_feedback": """
        select segment, onboarding_survey_accounts, round(onboarding_satisfaction_average, 2) as satisfaction,
               round(csat_average_after_activation, 2) as csat, round(nps, 1) as nps
        from marts.kpi_feedback where signup_month = 'all' order by segment = 'all', segment""",
    "kpi_at_risk_rescue": """
        select rule_name, alerted_accounts, rescued_accounts, round(rescue_rate, 3) as rescue_rate,
               round(median_days_to_rescue, 1) as median_days_to_rescue
        from marts.kpi_at_risk_rescue where segment = 'all' order by rule_name = 'any_rule' desc, 1""",
    "kpi_engagement": """
        select segment, signed_up_accounts, round(sessions_per_user_in_onboarding, 2) as sessions_per_user,
               round(first_session_completion_rate, 3) as first_session_completion,
               round(signup_abandonment_rate, 3) as signup_abandonment
        from marts.kpi_engagement where signup_month = 'all' order by segment = 'all', segment""",
    "kpi_feature_adoption": """
        select feature_name, adoption_rank, round(adoption_rate, 3) as adoption_rate,
               round(median_days_to_first_use, 1) as median_days_to_first_use
        from marts.kpi_feature_adoption where segment = 'all' order by adoption_rank""",
    "kpi_activation_candidates": """
        select candidate_rank, candidate_name, round(retained_share, 3) as retained_share,
               round(churned_share, 3) as churned_share, round(lift, 2) as lift, meets_80_percent_rule
        from marts.kpi_activation_candidates where segment = 'all' order by candidate_rank nulls last, 2""",
    "kpi_onboarding_experiments": """
        select variant, assigned_accounts, round(activation_rate, 3) as activation_rate,
               round(difference, 3) as difference, round(p_value, 3) as p_value, has_sample_ratio_mismatch
        from marts.kpi_onboarding_experiments order by is_control desc, variant""",
}
PREVIEW_ROWS = 10


def kpi_preview(con, table: str) -> tuple[int, str]:
    """The row count of marts.<table> and its headline figures as a markdown table."""
    relation = quote_identifier("marts", table)
    (rows,) = con.execute(f"select count(*) from {relation}").fetchone()
    cursor = con.execute(HEADLINES.get(table, f"select * from {relation}"))
    headers = [d[0] for d in cursor.description]
    return rows, markdown_table(headers, cursor.fetchmany(PREVIEW_ROWS))


def _is_kpi(key) -> bool:
    return len(key.path) == 2 and key.path[0] == "marts" and key.path[1].startswith("kpi_")


def with_kpi_previews(context: AssetExecutionContext, events: Iterable) -> Iterator:
    """Pass dbt's events through, holding back the kpi_ outputs (and their checks) until
    the stream ends, then send them with a preview in their metadata."""

    def is_kpi_event(event) -> bool:
        if isinstance(event, Output):
            return _is_kpi(context.asset_key_for_output(event.output_name))
        return isinstance(event, AssetCheckResult) and bool(event.asset_key) and _is_kpi(event.asset_key)

    held = []
    for event in events:
        if is_kpi_event(event):
            held.append(event)
        else:
            yield event
    if not held:
        return
    with connect_warehouse(read_only=True) as con:
        for event in held:
            if isinstance(event, Output):
                table = context.asset_key_for_output(event.output_name).path[1]
                rows, preview = kpi_preview(con, table)
                event = event.with_metadata(
                    {**event.metadata, "dagster/row_count": rows, "preview": MetadataValue.md(preview)}
                )
            yield event
