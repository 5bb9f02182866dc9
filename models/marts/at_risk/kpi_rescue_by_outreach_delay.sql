{#- Does reaching out early rescue more accounts? Per rule (counted on the
    alert where it first fired; 'any_rule': each account's first alert) and
    outreach delay (the first outreach event after the alert and before
    activation: within 24 hours, 1 to 3 days, later, none): the alerts whose
    playbook measurement window is over, those rescued in it (activated
    within measurement_window_days of the alert), the rescue rate, and the
    rate against the rule's 'later' outreach (2.0 = early outreach doubles
    the rescue rate). -#}

with

alerts as (
    select * from {{ ref('fct_at_risk_alerts') }}
),

signals as (
    select * from {{ ref('fct_account_risk_signals') }}
),

rule_firsts as (
    select
        account_id,
        rule_name,
        min(day_number) as day_number
    from signals
    group by account_id, rule_name
),

first_alerts as (
    select
        account_id,
        min(alert_day_number) as day_number
    from alerts
    group by account_id
),

counted as (
    select
        rule_firsts.rule_name,
        alerts.outreach_delay_bucket,
        alerts.is_measurement_window_over,
        alerts.is_rescued_in_measurement_window,
        alerts.hours_to_outreach
    from rule_firsts
    inner join alerts
        on rule_firsts.account_id = alerts.account_id and rule_firsts.day_number = alerts.alert_day_number
    union all
    select
        'any_rule' as rule_name,
        alerts.outreach_delay_bucket,
        alerts.is_measurement_window_over,
        alerts.is_rescued_in_measurement_window,
        alerts.hours_to_outreach
    from first_alerts
    inner join alerts
        on first_alerts.account_id = alerts.account_id and first_alerts.day_number = alerts.alert_day_number
),

buckets as (
    select
        counted.rule_name,
        counted.outreach_delay_bucket,
        count(*) as alerts,
        {{ count_if('counted.is_measurement_window_over') }} as measured_alerts,
        {{ count_if('counted.is_measurement_window_over and counted.is_rescued_in_measurement_window') }}
            as rescued_alerts,
        {{ count_if('not counted.is_measurement_window_over') }} as open_alerts,
        {{ median('counted.hours_to_outreach') }} as median_hours_to_outreach
    from counted
    group by counted.rule_name, counted.outreach_delay_bucket
),

rated as (
    select
        buckets.*,
        {{ safe_rate('buckets.rescued_alerts', 'buckets.measured_alerts') }} as rescue_rate
    from buckets
),

final as (
    select
        rated.rule_name,
        rated.outreach_delay_bucket,
        case rated.outreach_delay_bucket
            when 'within_24h' then 1 when '1_to_3_days' then 2 when 'later' then 3 else 4
        end as bucket_order,
        rated.alerts,
        rated.measured_alerts,
        rated.rescued_alerts,
        rated.open_alerts,
        rated.rescue_rate,
        rated.median_hours_to_outreach,
        rated.rescue_rate / nullif(later.rescue_rate, 0) as rescue_rate_vs_later
    from rated
    left join rated as later
        on rated.rule_name = later.rule_name and later.outreach_delay_bucket = 'later'
)

select * from final
