{#- Funnel exclusions whose steps do not fit the funnel (from_step must be
    before to_step, to_step at most the funnel's last step) or that are set on
    an unordered funnel (where steps have no order to be between). -#}
{% test valid_funnel_exclusion(model) %}
select
    exclusions.funnel_name,
    exclusions.event_name,
    exclusions.from_step,
    exclusions.to_step,
    case
        when funnels.funnel_order_type = 'unordered' then 'exclusions are not allowed on an unordered funnel'
        else 'from_step must be before to_step, and to_step at most the last step'
    end as problem
from {{ model }} as exclusions
left join {{ ref('funnels') }} as funnels
    on exclusions.funnel_name = funnels.funnel_name
where
    funnels.funnel_order_type = 'unordered'
    or exclusions.from_step >= exclusions.to_step
    or exclusions.to_step > (
        select max(steps.step_number) from {{ ref('funnel_steps') }} as steps
        where steps.funnel_name = exclusions.funnel_name
    )
{% endtest %}
