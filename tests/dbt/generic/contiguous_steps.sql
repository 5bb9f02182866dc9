{#- Groups whose step numbers are not exactly 1, 2, ..., n: names the group
    and the first step number that is missing or extra. -#}
{% test contiguous_steps(model, group_by, step_column) %}
with numbered as (
    select
        {{ group_by }} as step_group,
        {{ step_column }} as step_number,
        row_number() over (partition by {{ group_by }} order by {{ step_column }}) as expected_step
    from {{ model }}
)

select
    step_group,
    min(step_number) as first_wrong_step,
    min(expected_step) as expected_step
from numbered
where step_number <> expected_step
group by step_group
{% endtest %}
