{#- One row per account and retention period: logo retention on day N
    (a subscription active that day) and usage in week N since sign-up,
    each with its maturity and the account's activation status. -#}

with

accounts as (
    select * from {{ ref('int_accounts') }}
),

retention_days as (
    select * from {{ ref('int_account_retention_days') }}
),

weekly_usage as (
    select * from {{ ref('int_account_weekly_usage') }}
),

as_of as (
    select as_of_at from {{ ref('int_as_of') }}
),

weeks as (
    {{ integer_rows(range(0, var('retention_weeks') + 1), 'week_number') }}
),

logo as (
    select
        retention_days.account_id,
        accounts.signed_up_at,
        'logo_day' as period_kind,
        retention_days.retention_day as period_number,
        retention_days.day_ends_at <= as_of.as_of_at as is_period_mature,
        retention_days.is_subscribed as is_retained_in_period,
        cast(null as boolean) as is_retained_on_or_after_period
    from retention_days
    inner join accounts
        on retention_days.account_id = accounts.account_id
    cross join as_of
    where retention_days.retention_day in ({{ var('logo_retention_days') | join(', ') }})
),

last_usage as (
    select
        account_id,
        max(week_number) as last_usage_week
    from weekly_usage
    group by account_id
),

usage as (
    select
        accounts.account_id,
        accounts.signed_up_at,
        'usage_week' as period_kind,
        weeks.week_number as period_number,
        {{ window_end('accounts.signed_up_at', '7 * (weeks.week_number + 1)') }} <= as_of.as_of_at
            as is_period_mature,
        weekly_usage.account_id is not null as is_retained_in_period,
        coalesce(last_usage.last_usage_week >= weeks.week_number, false) as is_retained_on_or_after_period
    from accounts
    cross join weeks
    cross join as_of
    left join weekly_usage
        on
            accounts.account_id = weekly_usage.account_id
            and weeks.week_number = weekly_usage.week_number
    left join last_usage
        on accounts.account_id = last_usage.account_id
),

final as (
    select * from logo
    union all
    select * from usage
)

select * from final
