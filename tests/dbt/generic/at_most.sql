{#- Rows where the column is above a maximum (e.g. a project variable). -#}
{% test at_most(model, column_name, maximum) %}
select *
from {{ model }}
where {{ column_name }} > {{ maximum }}
{% endtest %}
