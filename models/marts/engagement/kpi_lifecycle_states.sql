{#- Lifecycle state counts over the weeks since sign-up, per activation
    status: accounts in each state, their share of the accounts whose week is
    complete, and how many of them were active that week (summed over the
    states, the activation cohort's weekly retention curve). -#}

with

lifecycle_weeks as (
    select * from {{ ref('fct_account_lifecycle_weeks') }}
),

counted as (
    select
        activation_status,
        week_number,
        lifecycle_state,
        count(*) as accounts_in_state,
        {{ count_if('is_active') }} as accounts_active
    from lifecycle_weeks
    group by activation_status, week_number, lifecycle_state
),

final as (
    select
        activation_status,
        week_number,
        lifecycle_state,
        accounts_in_state,
        accounts_active,
        cast(sum(accounts_in_state) over (partition by activation_status, week_number) as bigint) as accounts_in_week,
        {{ safe_rate('accounts_in_state', 'sum(accounts_in_state) over (partition by activation_status, week_number)') }}
            as share_of_accounts
    from counted
)

select * from final
