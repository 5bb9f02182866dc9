{#- Every event an event rule names is known to the event_taxonomy seed.
    A rule is one event name, several separated by '|' (any of them counts:
    'question_posted|answer_posted'), or 'category:<category>' (every event of
    that taxonomy category); at most 10 parts (macros/event_rules.sql). A
    failing row names the rule and its unknown part: a typo or an event the
    taxonomy lacks is an error, not a milestone or funnel step nobody can
    reach. -#}
{% test known_events(model, column_name) %}
with

rules as (
    select * from {{ model }}
),

taxonomy as (
    select * from {{ ref('event_taxonomy') }}
),

parts as (
    {{ event_rule_parts('rules', [], rule_column=column_name) }}
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
    where known.event_part is null
    union all
    select distinct
        event_rule,
        'more than 10 alternatives' as unknown_event
    from parts
    where part_count > 10
)

select * from final
{% endtest %}
