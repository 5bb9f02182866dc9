{#- The events that count towards each milestone of the milestones seed: its
    event_name rule resolved against the event_taxonomy seed by the shared
    macros of macros/event_rules.sql (funnel steps use the same). A rule is
    one event name, several separated by '|' (any of them counts), or
    'category:<category>' (every event of that category). At most 10 parts
    (the seed's known_events test fails on more, and on a part the taxonomy
    does not know). -#}

with

milestones as (
    select * from {{ ref('milestones') }}
),

taxonomy as (
    select * from {{ ref('event_taxonomy') }}
),

{%- set rule_columns = ['segment', 'milestone_name', 'property_key', 'property_value'] %}

parts as (
    {{ event_rule_parts('milestones', rule_columns) }}
),

resolved as (
    {{ event_rule_events('parts', 'taxonomy', rule_columns) }}
),

final as (
    select distinct
        segment,
        milestone_name,
        event_rule,
        property_key,
        property_value,
        event_name
    from resolved
)

select * from final
