{#- Milestone rules with a property key but no value, or a value but no key. -#}
{% test property_filter_complete(model) %}
select *
from {{ model }}
where (property_key is null) <> (property_value is null)
{% endtest %}
