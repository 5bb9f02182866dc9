{#- Every part of every milestone and funnel-step event rule (seeds
    milestones and funnel_steps, int_event_rule_parts) stands for an event the
    warehouse has seen: at least one staged event of that name (or, for
    'category:<category>', of that category) at or after an account's sign-up
    (int_account_events; earlier events count towards nothing). A milestone
    nobody can reach, or a funnel that comes out empty, because its event is
    misspelt or not sent is an error, unless the row is marked expected_future
    (an event about to ship). Exclusion events are not checked: one that
    never happened excludes nothing. Returns one row per unseen part: the
    seed, its row (the segment and milestone, or the funnel and step), the
    rule and the part. -#}
{{ config(meta={'dagster': {'ref': {'name': 'int_event_rule_parts'}}, 'log_failing_rows': true}) }}

{%- set owner_columns = ['seed_name', 'segment', 'milestone_name', 'funnel_name', 'step_number'] %}

with

rule_parts as (
    select * from {{ ref('int_event_rule_parts') }}
),

seen_events as (
    select distinct event_name from {{ ref('int_account_events') }}
),

parts as (
    select
        {%- for column in owner_columns %}
            rule_parts.{{ column }},
        {%- endfor %}
        rule_parts.event_rule,
        rule_parts.event_part,
        rule_parts.is_expected_future,
        count(seen_events.event_name) as seen_event_names
    from rule_parts
    left join seen_events
        on rule_parts.event_name = seen_events.event_name
    group by
        {%- for column in owner_columns %}
            rule_parts.{{ column }},
        {%- endfor %}
        rule_parts.event_rule,
        rule_parts.event_part,
        rule_parts.is_expected_future
),

final as (
    select
        seed_name,
        case
            when seed_name = 'milestones'
                then {{ dbt.concat(["'segment '", 'segment', "', milestone '", 'milestone_name']) }}
            else {{ dbt.concat([
                "'funnel '", 'funnel_name', "', step '", 'cast(step_number as ' ~ dbt.type_string() ~ ')'
            ]) }}
        end as seed_row,
        event_rule,
        event_part as unseen_event
    from parts
    where
        seen_event_names = 0
        and not is_expected_future
)

select * from final
