{#- One row per funnel and account that did the funnel's first step: how far
    its furthest-reaching attempt went and, if it did every step, when. -#}

with

attempt_steps as (
    select * from {{ ref('int_funnel_attempt_steps') }}
),

funnels as (
    select * from {{ ref('int_funnels') }}
),

accounts as (
    select * from {{ ref('int_accounts') }}
),

progress as (
    select
        funnel_name,
        account_id,
        max(furthest_step) as furthest_step,
        max(first_step_at) as first_step_at,
        max(reached_at) as last_step_at
    from attempt_steps
    group by funnel_name, account_id
),

final as (
    select
        progress.funnel_name,
        progress.account_id,
        accounts.segment,
        accounts.signed_up_at,
        funnels.steps_in_funnel,
        funnels.conversion_window_seconds,
        progress.furthest_step,
        progress.furthest_step = funnels.steps_in_funnel as is_converted,
        progress.first_step_at,
        case when progress.furthest_step = funnels.steps_in_funnel then progress.last_step_at end
            as converted_at,
        case
            when progress.furthest_step = funnels.steps_in_funnel
                then {{ elapsed_seconds('progress.first_step_at', 'progress.last_step_at') }}
        end as time_to_convert_seconds
    from progress
    inner join funnels
        on progress.funnel_name = funnels.funnel_name
    inner join accounts
        on progress.account_id = accounts.account_id
)

select * from final
