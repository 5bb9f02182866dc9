{#- Does the health score say who stays? Each account's health score at the
    end of day var('health_reference_day') of its onboarding period, in bands
    (var('health_band_bounds'): lower bounds, 0-100), against day-90 logo
    retention (a subscription active on day 90), over the accounts whose day
    90 has ended: retention rate per band and its lift over every banded
    account ('all'). Null without subscription data, or before any account
    reached day 90. -#}
{%- set bounds = var('health_band_bounds') | sort %}
{%- set uppers = bounds[1:] + [100] %}

with

health as (
    select * from {{ ref('fct_account_health') }}
),

retention as (
    select * from {{ ref('fct_account_retention') }}
),

day_90 as (
    select
        account_id,
        is_retained_in_period
    from retention
    where period_kind = 'logo_day' and period_number = 90 and is_period_mature
),

subscription_data as (
    select {{ count_if('is_retained_in_period') }} > 0 as has_subscriptions
    from retention
    where period_kind = 'logo_day'
),

banded as (
    select
        health.account_id,
        health.health_score,
        case
            {%- for i in range(bounds | length - 1, -1, -1) %}
                when health.health_score >= {{ bounds[i] }} then '{{ bounds[i] }}-{{ uppers[i] }}'
            {%- endfor %}
        end as health_band,
        day_90.account_id is not null as is_day_90_mature,
        day_90.is_retained_in_period as is_retained_day_90
    from health
    left join day_90
        on health.account_id = day_90.account_id
    where health.day_number = {{ var('health_reference_day') }} and health.health_score is not null
),

rolled as (
    select
        health_band,
        account_id,
        health_score,
        is_day_90_mature,
        is_retained_day_90
    from banded
    union all
    select
        'all' as health_band,
        account_id,
        health_score,
        is_day_90_mature,
        is_retained_day_90
    from banded
),

rates as (
    select
        rolled.health_band,
        count(*) as scored_accounts,
        avg(rolled.health_score) as average_health_score,
        {{ count_if('rolled.is_day_90_mature') }} as mature_accounts,
        {{ count_if('rolled.is_day_90_mature and rolled.is_retained_day_90') }} as retained_accounts,
        case
            when max(case when subscription_data.has_subscriptions then 1 else 0 end) = 1
                then {{ safe_rate(count_if('rolled.is_day_90_mature and rolled.is_retained_day_90'),
                                  count_if('rolled.is_day_90_mature')) }}
        end as retention_rate_day_90
    from rolled
    cross join subscription_data
    group by rolled.health_band
),

final as (
    select
        rates.health_band,
        rates.scored_accounts,
        rates.average_health_score,
        rates.mature_accounts,
        rates.retained_accounts,
        rates.retention_rate_day_90,
        rates.retention_rate_day_90 / nullif(overall.retention_rate_day_90, 0) as retention_lift
    from rates
    left join rates as overall
        on overall.health_band = 'all'
)

select * from final
