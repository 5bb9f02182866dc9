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
        count(*) as state_accounts,
        {{ count_if('is_active') }} as active_accounts
    from lifecycle_weeks
    group by activation_status, week_number, lifecycle_state
),

final as (
    select
        activation_status,
        week_number,
        lifecycle_state,
        state_accounts,
        active_accounts,
        cast(sum(state_accounts) over (partition by activation_status, week_number) as bigint) as week_accounts,
        {{ safe_rate('state_accounts', 'sum(state_accounts) over (partition by activation_status, week_number)') }}
            as share_of_accounts
    from counted
)

select * from final
