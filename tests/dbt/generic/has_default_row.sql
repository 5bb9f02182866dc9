{#- The segments seed must have a `default` row for unconfigured segments. -#}
{% test has_default_row(model) %}
select 'the segments seed has no row for segment "default"' as problem
where not exists (select 1 from {{ model }} where segment = 'default')
{% endtest %}
