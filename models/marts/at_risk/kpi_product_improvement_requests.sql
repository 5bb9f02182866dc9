{#- At-risk patterns rescues cannot solve, routed to Product Ops as onboarding
    UX improvement requests, with the evidence: per rule and subject (the
    overdue milestone, help topic or failing action on the day the rule
    first fired for the account; no_login has none), the alerted accounts
    whose playbook measurement window is over, how many were rescued in it,
    the rate against the rule's over all subjects, how many were reached out
    to, and one example account. A pattern is a request when its rescue rate
    is at most var('improvement_request_max_rescue_rate') over at least
    var('improvement_request_min_accounts') measured accounts. -#}

with

alerts as (
    select * from {{ ref('fct_at_risk_alerts') }}
),

signals as (
    select * from {{ ref('fct_account_risk_signals') }}
),

first_firings as (
    select
        account_id,
        rule_name,
        day_number,
        rule_subject,
        row_number() over (partition by account_id, rule_name order by day_number) as firing_number
    from signals
),

patterns as (
    select
        first_firings.rule_name,
        coalesce(first_firings.rule_subject, '(none)') as rule_subject,
        alerts.account_id,
        alerts.is_measurement_window_over,
        alerts.is_rescued_in_measurement_window,
        alerts.first_outreach_at is not null as was_reached_out
    from first_firings
    inner join alerts
        on first_firings.account_id = alerts.account_id and first_firings.day_number = alerts.alert_day_number
    where first_firings.firing_number = 1
),

per_pattern as (
    select
        rule_name,
        rule_subject,
        count(*) as alerted_accounts,
        {{ count_if('is_measurement_window_over') }} as measured_accounts,
        {{ count_if('is_measurement_window_over and is_rescued_in_measurement_window') }} as rescued_accounts,
        {{ count_if('is_measurement_window_over and was_reached_out') }} as reached_out_accounts,
        min(case when is_measurement_window_over and not is_rescued_in_measurement_window then account_id end)
            as example_account_id
    from patterns
    group by rule_name, rule_subject
),

per_rule as (
    select
        rule_name,
        {{ safe_rate(count_if('is_measurement_window_over and is_rescued_in_measurement_window'),
                     count_if('is_measurement_window_over')) }} as rule_rescue_rate
    from patterns
    group by rule_name
),

final as (
    select
        per_pattern.rule_name,
        per_pattern.rule_subject,
        per_pattern.alerted_accounts,
        per_pattern.measured_accounts,
        per_pattern.rescued_accounts,
        per_pattern.reached_out_accounts,
        {{ safe_rate('per_pattern.rescued_accounts', 'per_pattern.measured_accounts') }} as rescue_rate,
        per_rule.rule_rescue_rate,
        per_pattern.example_account_id,
        coalesce(
            per_pattern.measured_accounts >= {{ var('improvement_request_min_accounts') }}
            and {{ safe_rate('per_pattern.rescued_accounts', 'per_pattern.measured_accounts') }}
            <= {{ var('improvement_request_max_rescue_rate') }},
            false
        ) as is_improvement_request,
        {{ dbt.concat([
            "per_pattern.rule_name", "' on '", "coalesce(per_pattern.rule_subject, '(none)')", "': '",
            "cast(per_pattern.measured_accounts - per_pattern.rescued_accounts as " ~ dbt.type_string() ~ ")",
            "' of '", "cast(per_pattern.measured_accounts as " ~ dbt.type_string() ~ ")",
            "' alerted accounts not rescued within the playbook window ('",
            "cast(per_pattern.reached_out_accounts as " ~ dbt.type_string() ~ ")",
            "' reached out to)'"
        ]) }} as evidence
    from per_pattern
    inner join per_rule
        on per_pattern.rule_name = per_rule.rule_name
)

select * from final
