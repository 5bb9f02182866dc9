{#- One row per funnel, account and step its counted attempt reached. -#}

with

attempt_steps as (
    select * from {{ ref('int_funnel_attempt_steps') }}
),

final as (
    select
        funnel_name,
        account_id,
        step_number,
        first_step_at,
        reached_at,
        {{ elapsed_seconds('first_step_at', 'reached_at') }} as seconds_from_first_step
    from attempt_steps
)

select * from final
