{#- Rules with a property key but no value, or a value but no key. -#}
{% test property_filter_complete(model, key_column='property_key', value_column='property_value') %}
select *
from {{ model }}
where ({{ key_column }} is null) <> ({{ value_column }} is null)
{% endtest %}
