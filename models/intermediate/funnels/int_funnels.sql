with

funnels as (
    select * from {{ ref('funnels') }}
),

funnel_steps as (
    select * from {{ ref('funnel_steps') }}
),

step_counts as (
    select
        funnel_name,
        count(*) as steps_in_funnel
    from funnel_steps
    group by funnel_name
),

final as (
    select
        funnels.funnel_name,
        funnels.conversion_window_seconds,
        funnels.funnel_order_type,
        step_counts.steps_in_funnel
    from funnels
    inner join step_counts
        on funnels.funnel_name = step_counts.funnel_name
)

select * from final
