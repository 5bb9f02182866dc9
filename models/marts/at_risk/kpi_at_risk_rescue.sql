{#- Rescue tracking per rule and segment ('all' for every segment; rule
    'any_rule' counts each alerted account once, at its first alert):
    alerted accounts, those that activated after the alert (rescued), the
    rescue rate and the time to rescue. -#}
{%- set levels = [['rule_name', 'segment'], ['rule_name']] %}

with

alerts as (
    select * from {{ ref('fct_at_risk_alerts') }}
),

first_alerts as (
    select
        'any_rule' as rule_name,
        segment,
        account_id,
        is_rescued,
        is_onboarding_open,
        days_to_rescue
    from (
        select
            alerts.*,
            row_number() over (
                partition by alerts.account_id order by alerts.alerted_at, alerts.rule_name
            ) as alert_number
        from alerts
    ) as numbered
    where alert_number = 1
),

per_rule as (
    select
        rule_name,
        segment,
        account_id,
        is_rescued,
        is_onboarding_open,
        days_to_rescue
    from alerts
    union all
    select * from first_alerts
),

rolled as (
    {{ rollup_rows('per_rule', ['rule_name', 'segment'], levels,
                   ['account_id', 'is_rescued', 'is_onboarding_open', 'days_to_rescue']) }}
),

final as (
    select
        rule_name,
        segment,
        count(*) as alerted_accounts,
        {{ count_if('is_rescued') }} as rescued_accounts,
        {{ count_if('is_onboarding_open') }} as open_accounts,
        {{ safe_rate(count_if('is_rescued'), 'count(*)') }} as rescue_rate,
        {{ median('days_to_rescue') }} as median_days_to_rescue,
        avg(days_to_rescue) as average_days_to_rescue
    from rolled
    group by rule_name, segment
)

select * from final
