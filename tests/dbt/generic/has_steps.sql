{#- Funnels with no row in the funnel_steps seed. -#}
{% test has_steps(model) %}
select
    funnels.funnel_name,
    'the funnel has no steps in funnel_steps' as problem
from {{ model }} as funnels
where not exists (
    select 1 from {{ ref('funnel_steps') }} as steps
    where steps.funnel_name = funnels.funnel_name
)
{% endtest %}
