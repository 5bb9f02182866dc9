{#- For each account and each day N of var('logo_retention_days') and the
    day of var('discovery_retention_day') (milestone discovery): whether a
    subscription period covered any part of day N (the 24 hours starting
    N x 24 h after sign-up; a period ends exclusively at period_end). -#}

with

accounts as (
    select * from {{ ref('int_accounts') }}
),

subscriptions as (
    select * from {{ ref('stg_subscriptions') }}
),

retention_days as (
    {{ integer_rows((var('logo_retention_days') + [var('discovery_retention_day')]) | unique | list, 'retention_day') }}
),

account_days as (
    select
        accounts.account_id,
        retention_days.retention_day,
        {{ window_end('accounts.signed_up_at', 'retention_days.retention_day') }} as day_starts_at,
        {{ window_end('accounts.signed_up_at', 'retention_days.retention_day + 1') }} as day_ends_at
    from accounts
    cross join retention_days
),

covered as (
    select distinct
        account_days.account_id,
        account_days.retention_day
    from account_days
    inner join subscriptions
        on
            account_days.account_id = subscriptions.account_id
            and account_days.day_ends_at > subscriptions.period_start
            and (subscriptions.period_end is null or account_days.day_starts_at < subscriptions.period_end)
),

final as (
    select
        account_days.account_id,
        account_days.retention_day,
        account_days.day_starts_at,
        account_days.day_ends_at,
        covered.account_id is not null as is_subscribed
    from account_days
    left join covered
        on
            account_days.account_id = covered.account_id
            and account_days.retention_day = covered.retention_day
)

select * from final
