{#- One row per account and complete week since sign-up: its lifecycle
    state, the state of the week before, and the account's cohort, segment
    and activation status. -#}

with

lifecycle_weeks as (
    select * from {{ ref('int_account_lifecycle_weeks') }}
),

accounts as (
    select * from {{ ref('int_accounts') }}
),

activation as (
    select * from {{ ref('int_account_activation') }}
),

final as (
    select
        lifecycle_weeks.account_id,
        accounts.segment,
        accounts.signup_month,
        activation.activation_status,
        lifecycle_weeks.week_number,
        lifecycle_weeks.week_start,
        lifecycle_weeks.active_days,
        lifecycle_weeks.is_active,
        lifecycle_weeks.inactive_weeks_in_a_row,
        lifecycle_weeks.lifecycle_state,
        lag(lifecycle_weeks.lifecycle_state) over (
            partition by lifecycle_weeks.account_id
            order by lifecycle_weeks.week_number
        ) as previous_lifecycle_state
    from lifecycle_weeks
    inner join accounts
        on lifecycle_weeks.account_id = accounts.account_id
    inner join activation
        on lifecycle_weeks.account_id = activation.account_id
)

select * from final
