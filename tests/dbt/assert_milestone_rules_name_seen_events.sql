{#- Every part of every milestone rule of the milestones seed stands for an
    event the warehouse has seen: at least one staged event of that name (or,
    for 'category:<category>', of that category) at or after an account's
    sign-up (int_account_events; earlier events count towards nothing). A
    milestone nobody can reach because its event is misspelled or not sent is
    an error, unless its row is marked expected_future (an event about to
    ship). Returns one row per unseen part: the seed, the segment and
    milestone, the rule and the part. -#}
{{ config(meta={'dagster': {'ref': {'name': 'int_milestone_events'}}, 'log_failing_rows': true}) }}
-- depends_on: {{ ref('int_milestone_events') }}

{%- set columns = ['segment', 'milestone_name'] %}

with

milestones as (
    select * from {{ ref('milestones') }}
),

taxonomy as (
    select * from {{ ref('event_taxonomy') }}
),

seen_events as (
    select distinct event_name from {{ ref('int_account_events') }}
),

parts as (
    {{ event_rule_parts('milestones', columns + ['expected_future']) }}
),

part_events as (
    {{ event_rule_events('parts', 'taxonomy', columns) }}
),

seen_parts as (
    select distinct
        part_events.segment,
        part_events.milestone_name,
        part_events.event_part
    from part_events
    inner join seen_events
        on part_events.event_name = seen_events.event_name
),

final as (
    select
        'milestones' as seed_name,
        parts.segment,
        parts.milestone_name,
        parts.event_rule,
        parts.event_part as unseen_event
    from parts
    left join seen_parts
        on
            parts.segment = seen_parts.segment
            and parts.milestone_name = seen_parts.milestone_name
            and parts.event_part = seen_parts.event_part
    where
        seen_parts.event_part is null
        and not coalesce(parts.expected_future, false)
)

select * from final
