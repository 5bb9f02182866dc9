{#- Every event name the funnel models read: the names the funnels' step
    rules and exclusion rules stand for ('a|b', 'category:<category>':
    macros/event_rules.sql). The account-level incremental funnel model
    recomputes an account when one of these events of it changes. -#}

with

funnel_steps as (
    select * from {{ ref('funnel_steps') }}
),

funnel_exclusions as (
    select * from {{ ref('funnel_exclusions') }}
),

taxonomy as (
    select * from {{ ref('event_taxonomy') }}
),

step_parts as (
    {{ event_rule_parts('funnel_steps', ['funnel_name']) }}
),

exclusion_parts as (
    {{ event_rule_parts('funnel_exclusions', ['funnel_name']) }}
),

step_events as (
    {{ event_rule_events('step_parts', 'taxonomy', ['funnel_name']) }}
),

exclusion_events as (
    {{ event_rule_events('exclusion_parts', 'taxonomy', ['funnel_name']) }}
),

names as (
    select event_name from step_events
    union
    select event_name from exclusion_events
),

final as (
    select event_name
    from names
)

select * from final
