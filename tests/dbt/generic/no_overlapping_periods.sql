{#- Pairs of periods of the same key that overlap (an end of null: ongoing). -#}
{% test no_overlapping_periods(model, column_name, start_column, end_column) %}
with

periods as (
    select
        {{ column_name }} as period_key,
        {{ start_column }} as period_start,
        coalesce({{ end_column }}, {{ open_end() }}) as period_end,
        row_number() over (
            partition by {{ column_name }} order by {{ start_column }}, {{ end_column }}
        ) as period_number
    from {{ model }}
)

select
    earlier.period_key,
    earlier.period_start,
    earlier.period_end,
    later.period_start as overlapping_start,
    later.period_end as overlapping_end
from periods as earlier
inner join periods as later
    on
        earlier.period_key = later.period_key
        and earlier.period_number < later.period_number
        and later.period_start < earlier.period_end
        and earlier.period_start < later.period_end
{% endtest %}
