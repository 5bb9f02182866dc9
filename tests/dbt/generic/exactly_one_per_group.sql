{#- Groups where the boolean flag is true on zero rows or on several. -#}
{% test exactly_one_per_group(model, group_by, flag_column) %}
select
    {{ group_by }} as flag_group,
    {{ count_if(flag_column) }} as rows_flagged
from {{ model }}
group by {{ group_by }}
having {{ count_if(flag_column) }} <> 1
{% endtest %}
