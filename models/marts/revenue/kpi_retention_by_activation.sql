{#- Retention by activation status: logo retention on day N (a subscription
    active that day) and usage retention in week N since sign-up, "on
    period N" and "on or after period N". Only accounts whose period N has
    fully elapsed are in a rate; the others are counted apart. -#}

with

retention as (
    select * from {{ ref('fct_account_retention') }}
),

accounts as (
    select * from {{ ref('fct_account_onboarding') }}
),

joined as (
    select
        retention.*,
        accounts.activation_status,
        accounts.segment,
        accounts.signup_month
    from retention
    inner join accounts
        on retention.account_id = accounts.account_id
),

final as (
    select
        period_kind,
        period_number,
        activation_status,
        segment,
        signup_month,
        {{ count_if('is_period_mature') }} as mature_accounts,
        {{ count_if('not is_period_mature') }} as immature_accounts,
        {{ count_if('is_period_mature and is_retained_in_period') }} as retained_accounts,
        {{ safe_rate(count_if('is_period_mature and is_retained_in_period'), count_if('is_period_mature')) }}
            as retention_rate,
        case when period_kind = 'usage_week' then
                {{ count_if('is_period_mature and is_retained_on_or_after_period') }}
        end as retained_on_or_after_accounts,
        case when period_kind = 'usage_week' then
            {{ safe_rate(count_if('is_period_mature and is_retained_on_or_after_period'),
                         count_if('is_period_mature')) }}
        end as retention_rate_on_or_after
    from joined
    group by
        period_kind,
        period_number,
        activation_status,
        segment,
        signup_month
)

select * from final
