{#- Every part of every milestone and funnel-step event rule (seeds milestones
    and funnel_steps), with the event names it stands for (macros/event_rules.sql:
    a name itself, a category every event of it in the taxonomy): what the
    check tests/dbt/assert_event_rules_name_seen_events.sql compares with the
    events the warehouse has seen. A part standing for no event (a category
    without events) has one row with a null event_name. -#}

with

milestones as (
    select * from {{ ref('milestones') }}
),

funnel_steps as (
    select * from {{ ref('funnel_steps') }}
),

taxonomy as (
    select * from {{ ref('event_taxonomy') }}
),

rules as (
    select
        'milestones' as seed_name,
        segment,
        milestone_name,
        cast(null as {{ dbt.type_string() }}) as funnel_name,
        cast(null as {{ dbt.type_int() }}) as step_number,
        event_name,
        {#- expected_future: optional in a seed file written before it existed #}
        coalesce({{ optional_seed_column(ref('milestones'), 'expected_future', 'false') }}, false)
            as is_expected_future
    from milestones
    union all
    select
        'funnel_steps' as seed_name,
        cast(null as {{ dbt.type_string() }}) as segment,
        cast(null as {{ dbt.type_string() }}) as milestone_name,
        funnel_name,
        step_number,
        event_name,
        coalesce({{ optional_seed_column(ref('funnel_steps'), 'expected_future', 'false') }}, false)
            as is_expected_future
    from funnel_steps
),

{%- set owner_columns = ['seed_name', 'segment', 'milestone_name', 'funnel_name', 'step_number'] %}

parts as (
    {{ event_rule_parts('rules', owner_columns + ['is_expected_future']) }}
),

part_events as (
    {{ event_rule_events('parts', 'taxonomy', owner_columns) }}
),

final as (
    select distinct
        {%- for column in owner_columns %}
            parts.{{ column }},
        {%- endfor %}
        parts.event_rule,
        parts.event_part,
        parts.is_expected_future,
        part_events.event_name
    from parts
    left join part_events
        on
            parts.seed_name = part_events.seed_name
            and coalesce(parts.segment, '') = coalesce(part_events.segment, '')
            and coalesce(parts.milestone_name, '') = coalesce(part_events.milestone_name, '')
            and coalesce(parts.funnel_name, '') = coalesce(part_events.funnel_name, '')
            and coalesce(parts.step_number, 0) = coalesce(part_events.step_number, 0)
            and parts.event_part = part_events.event_part
)

select * from final
