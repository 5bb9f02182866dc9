{#- Per funnel and step: accounts whose counted attempt reached the step
    (each account once, at its furthest step and every step before it),
    conversion against step 1 and against the previous step, and the median
    time from the attempt's first step. -#}

with

steps_reached as (
    select * from {{ ref('fct_funnel_steps_reached') }}
),

steps as (
    select
        funnel_name,
        step_number,
        count(*) as reached_accounts,
        {{ median('seconds_from_first_step') }} as median_seconds_to_step
    from steps_reached
    group by funnel_name, step_number
),

compared as (
    select
        steps.*,
        first_value(steps.reached_accounts) over funnel_order as step_1_accounts,
        lag(steps.reached_accounts) over funnel_order as previous_step_accounts
    from steps
    window funnel_order as (partition by funnel_name order by step_number)
),

final as (
    select
        funnel_name,
        step_number,
        reached_accounts,
        {{ safe_rate('reached_accounts', 'step_1_accounts') }} as conversion_from_step_1,
        {{ safe_rate('reached_accounts', 'coalesce(previous_step_accounts, reached_accounts)') }}
            as conversion_from_previous_step,
        median_seconds_to_step
    from compared
)

select * from final
