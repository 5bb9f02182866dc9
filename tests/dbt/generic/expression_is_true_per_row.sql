{#- Rows where the boolean SQL expression is not true (false or null). -#}
{% test expression_is_true_per_row(model, expression) %}
select *
from {{ model }}
where not coalesce({{ expression }}, false)
{% endtest %}
