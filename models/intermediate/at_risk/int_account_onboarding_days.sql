{#- The days the at-risk rules judge: one row per account and day of its
    onboarding period (day N = the 24 hours from N x 24 h after sign-up) that
    is complete at the as-of instant and ends before the account activates
    (an account that has activated is no longer at risk of not activating). -#}

with

accounts as (
    select * from {{ ref('int_accounts') }}
),

activation as (
    select
        account_id,
        activated_at
    from {{ ref('int_account_activation') }}
),

as_of as (
    select as_of_at from {{ ref('int_as_of') }}
),

day_numbers as (
    {{ dbt.generate_series(var('onboarding_max_days')) }}
),

days as (
    select
        accounts.account_id,
        accounts.signed_up_at,
        cast(day_numbers.generated_number - 1 as integer) as day_number,
        {{ dbt.dateadd('day', 'day_numbers.generated_number', 'accounts.signed_up_at') }} as day_ends_at,
        activation.activated_at,
        as_of.as_of_at
    from accounts
    cross join as_of
    inner join day_numbers
        on accounts.onboarding_period_days >= day_numbers.generated_number
    left join activation
        on accounts.account_id = activation.account_id
),

final as (
    select
        account_id,
        signed_up_at,
        day_number,
        day_ends_at
    from days
    where
        day_ends_at <= as_of_at
        and (activated_at is null or activated_at >= day_ends_at)
)

select * from final
