{#- The weekly lifecycle transition matrix per sign-up cohort (month) and
    segment: of the accounts in from_state in a week, the share in to_state
    the next week. Each from_state row sums to 1. -#}

with

lifecycle_weeks as (
    select * from {{ ref('fct_account_lifecycle_weeks') }}
),

counted as (
    select
        signup_month,
        segment,
        previous_lifecycle_state as from_state,
        lifecycle_state as to_state,
        count(*) as transitions
    from lifecycle_weeks
    where previous_lifecycle_state is not null
    group by signup_month, segment, previous_lifecycle_state, lifecycle_state
),

final as (
    select
        signup_month,
        segment,
        from_state,
        to_state,
        transitions,
        {{ safe_rate('transitions', 'sum(transitions) over (partition by signup_month, segment, from_state)') }}
            as transition_probability
    from counted
)

select * from final
