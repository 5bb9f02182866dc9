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

as_of as (
    select * from {{ ref('int_as_of') }}
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
        accounts.plan,
        accounts.industry,
        accounts.company_size,
        accounts.acquisition_channel,
        accounts.onboarding_variant,
        accounts.signed_up_at,
        accounts.signup_week,
        accounts.signup_month,
        funnels.funnel_order_type,
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
        end as time_to_convert_seconds,
        -- The attempt's window has fully elapsed by the as-of instant: a
        -- conversion can no longer come.
        (
            {{ elapsed_seconds('progress.first_step_at', 'as_of.as_of_at') }}
            >= funnels.conversion_window_seconds
        ) as is_window_elapsed
    from progress
    inner join funnels
        on progress.funnel_name = funnels.funnel_name
    inner join accounts
        on progress.account_id = accounts.account_id
    cross join as_of
)

select * from final
