{#- Every event a milestone rule names is known to the event_taxonomy seed.
    A rule is one event name, several separated by '|' (any of them counts:
    'question_posted|answer_posted'), or 'category:<category>' (every event of
    that taxonomy category); at most 10 parts. A failing row names the rule
    and its unknown part: a typo or an event the taxonomy lacks is an error,
    not a milestone nobody can reach. -#}
{% test known_events(model, column_name) %}
with

rules as (
    select
        {{ column_name }} as event_rule,
        {{ dbt.length(column_name) }} - {{ dbt.length(dbt.replace(column_name, "'|'", "''")) }} + 1 as part_count
    from {{ model }}
    where {{ column_name }} is not null
),

taxonomy as (
    select * from {{ ref('event_taxonomy') }}
),

parts as (
    {%- for part in range(1, 11) %}
    select
        event_rule,
        part_count,
        trim(case when part_count >= {{ part }} then {{ dbt.split_part('event_rule', "'|'", part) }} end) as event_part
    from rules
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
),

known as (
    select event_name as event_part from taxonomy
    union
    select {{ dbt.concat(["'category:'", 'category']) }} as event_part from taxonomy
),

final as (
    select
        parts.event_rule,
        coalesce(parts.event_part, '') as unknown_event
    from parts
    left join known
        on parts.event_part = known.event_part
    where parts.event_part is not null and known.event_part is null
    union all
    select
        event_rule,
        'more than 10 alternatives' as unknown_event
    from rules
    where part_count > 10
)

select * from final
{% endtest %}
