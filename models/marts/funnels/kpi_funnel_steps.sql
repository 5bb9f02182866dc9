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
        count(*) as accounts_reached,
        {{ median('seconds_from_first_step') }} as median_seconds_to_step
    from steps_reached
    group by funnel_name, step_number
),

compared as (
    select
        steps.*,
        first_value(steps.accounts_reached) over funnel_order as step_1_accounts,
        lag(steps.accounts_reached) over funnel_order as previous_step_accounts
    from steps
    window funnel_order as (partition by funnel_name order by step_number)
),

final as (
    select
        funnel_name,
        step_number,
        accounts_reached,
        {{ safe_rate('accounts_reached', 'step_1_accounts') }} as conversion_from_step_1,
        {{ safe_rate('accounts_reached', 'coalesce(previous_step_accounts, accounts_reached)') }}
            as conversion_from_previous_step,
        median_seconds_to_step
    from compared
)

select * from final
