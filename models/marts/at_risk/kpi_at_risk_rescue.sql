{#- Rescue tracking and alert precision per rule and segment ('all' for
    every segment; rule 'any_rule' counts each alerted account once, at its
    first alert): alerted accounts, those that activated after the alert
    (rescued), the rescue rate and the time to rescue; the alerts raised,
    sent (within the owner's daily cap) and kept as overflow; and the
    precision (alert_precision): the share of alerted accounts past their activation window
    that did not activate within it, against the same share over every
    account past its window (the base rate). -#}
{%- set levels = [['rule_name', 'segment'], ['rule_name']] %}

with

alerts as (
    select * from {{ ref('fct_at_risk_alerts') }}
),

signals as (
    select * from {{ ref('fct_account_risk_signals') }}
),

onboarding as (
    select * from {{ ref('fct_account_onboarding') }}
),

{#- A rule alerts an account on the first day it fires for it (the alert of
    that day); the account-level follow-up is the same for every rule. #}

rule_firsts as (
    select
        account_id,
        rule_name,
        min(day_number) as day_number,
        min(day_ends_at) as fired_at
    from signals
    group by account_id, rule_name
),

per_rule as (
    select
        rule_firsts.rule_name,
        alerts.segment,
        alerts.account_id,
        alerts.is_rescued,
        alerts.is_onboarding_open,
        {{ elapsed_seconds('rule_firsts.fired_at', 'alerts.activated_at') }} / 86400.0 as days_to_rescue,
        alerts.is_activation_window_mature,
        alerts.missed_activation,
        alerts.is_within_cap
    from rule_firsts
    inner join alerts
        on rule_firsts.account_id = alerts.account_id and rule_firsts.day_number = alerts.alert_day_number
),

first_alerts as (
    select
        'any_rule' as rule_name,
        segment,
        account_id,
        is_rescued,
        is_onboarding_open,
        days_to_rescue,
        is_activation_window_mature,
        missed_activation,
        is_within_cap
    from (
        select
            alerts.*,
            row_number() over (partition by alerts.account_id order by alerts.alerted_at) as alert_number
        from alerts
    ) as numbered
    where alert_number = 1
),

accounts_alerted as (
    select * from per_rule
    union all
    select * from first_alerts
),

rolled as (
    {{ rollup_rows('accounts_alerted', ['rule_name', 'segment'], levels,
                   ['account_id', 'is_rescued', 'is_onboarding_open', 'days_to_rescue',
                    'is_activation_window_mature', 'missed_activation']) }}
),

{#- Alerts (account-days) per rule and their queue status: a rule counts on
    the alert where it first fired; any_rule counts every alert. #}

alert_rows as (
    select
        rule_firsts.rule_name,
        alerts.segment,
        alerts.is_within_cap
    from rule_firsts
    inner join alerts
        on rule_firsts.account_id = alerts.account_id and rule_firsts.day_number = alerts.alert_day_number
    union all
    select
        'any_rule' as rule_name,
        segment,
        is_within_cap
    from alerts
),

alert_rolled as (
    {{ rollup_rows('alert_rows', ['rule_name', 'segment'], levels, ['is_within_cap']) }}
),

alert_counts as (
    select
        rule_name,
        segment,
        count(*) as alerts,
        {{ count_if('is_within_cap') }} as sent_alerts,
        {{ count_if('not is_within_cap') }} as overflow_alerts
    from alert_rolled
    group by rule_name, segment
),

{#- The base rate: every account past its activation window, per segment. #}

base as (
    select
        segment,
        {{ count_if('is_activation_window_mature') }} as mature_accounts,
        {{ count_if('is_activation_window_mature and not is_activated_in_window') }} as missed_accounts
    from onboarding
    group by segment
    union all
    select
        'all' as segment,
        {{ count_if('is_activation_window_mature') }} as mature_accounts,
        {{ count_if('is_activation_window_mature and not is_activated_in_window') }} as missed_accounts
    from onboarding
),

rescue as (
    select
        rule_name,
        segment,
        count(*) as alerted_accounts,
        {{ count_if('is_rescued') }} as rescued_accounts,
        {{ count_if('is_onboarding_open') }} as open_accounts,
        {{ safe_rate(count_if('is_rescued'), 'count(*)') }} as rescue_rate,
        {{ median('days_to_rescue') }} as median_days_to_rescue,
        avg(days_to_rescue) as average_days_to_rescue,
        {{ count_if('is_activation_window_mature') }} as mature_alerted_accounts,
        {{ count_if('missed_activation') }} as missed_activation_accounts
    from rolled
    group by rule_name, segment
),

final as (
    select
        rescue.rule_name,
        rescue.segment,
        rescue.alerted_accounts,
        rescue.rescued_accounts,
        rescue.open_accounts,
        rescue.rescue_rate,
        rescue.median_days_to_rescue,
        rescue.average_days_to_rescue,
        coalesce(alert_counts.alerts, 0) as alerts,
        coalesce(alert_counts.sent_alerts, 0) as sent_alerts,
        coalesce(alert_counts.overflow_alerts, 0) as overflow_alerts,
        rescue.mature_alerted_accounts,
        rescue.missed_activation_accounts,
        {{ safe_rate('rescue.missed_activation_accounts', 'rescue.mature_alerted_accounts') }} as alert_precision,
        {{ safe_rate('base.missed_accounts', 'base.mature_accounts') }} as base_rate,
        {{ safe_rate('rescue.missed_activation_accounts', 'rescue.mature_alerted_accounts') }}
        / nullif({{ safe_rate('base.missed_accounts', 'base.mature_accounts') }}, 0) as precision_lift
    from rescue
    left join alert_counts
        on rescue.rule_name = alert_counts.rule_name and rescue.segment = alert_counts.segment
    left join base
        on rescue.segment = base.segment
)

select * from final
