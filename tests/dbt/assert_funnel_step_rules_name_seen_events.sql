{#- Every part of every step rule of the funnel_steps seed stands for an
    event the warehouse has seen: at least one staged event of that name (or,
    for 'category:<category>', of that category) at or after an account's
    sign-up (int_account_events; earlier events count towards nothing). A
    funnel that comes out empty because a step's event is misspelled or not
    sent is an error, unless the step is marked expected_future (an event
    about to ship). Exclusion events are not checked: one that never happened
    excludes nothing. Returns one row per unseen part: the seed, the funnel
    and step, the rule and the part. -#}
{{ config(meta={'dagster': {'ref': {'name': 'int_funnel_event_names'}}, 'log_failing_rows': true}) }}
-- depends_on: {{ ref('int_funnel_event_names') }}

{%- set columns = ['funnel_name', 'step_number'] %}

with

funnel_steps as (
    select * from {{ ref('funnel_steps') }}
),

taxonomy as (
    select * from {{ ref('event_taxonomy') }}
),

seen_events as (
    select distinct event_name from {{ ref('int_account_events') }}
),

parts as (
    {{ event_rule_parts('funnel_steps', columns + ['expected_future']) }}
),

part_events as (
    {{ event_rule_events('parts', 'taxonomy', columns) }}
),

seen_parts as (
    select distinct
        part_events.funnel_name,
        part_events.step_number,
        part_events.event_part
    from part_events
    inner join seen_events
        on part_events.event_name = seen_events.event_name
),

final as (
    select
        'funnel_steps' as seed_name,
        parts.funnel_name,
        parts.step_number,
        parts.event_rule,
        parts.event_part as unseen_event
    from parts
    left join seen_parts
        on
            parts.funnel_name = seen_parts.funnel_name
            and parts.step_number = seen_parts.step_number
            and parts.event_part = seen_parts.event_part
    where
        seen_parts.event_part is null
        and not coalesce(parts.expected_future, false)
)

select * from final
