{#- The events that count towards each milestone of the milestones seed: its
    event_name rule resolved against the event_taxonomy seed. A rule is one
    event name, several separated by '|' (any of them counts), or
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

rules as (
    select
        segment,
        milestone_name,
        event_name as event_rule,
        property_key,
        property_value,
        {{ dbt.length('event_name') }} - {{ dbt.length(dbt.replace('event_name', "'|'", "''")) }} + 1
            as part_count
    from milestones
),

parts as (
    {%- for part in range(1, 11) %}
        select
            segment,
            milestone_name,
            event_rule,
            property_key,
            property_value,
            trim(
                case when part_count >= {{ part }} then {{ dbt.split_part('event_rule', "'|'", part) }} end
            ) as event_part
        from rules
        {%- if not loop.last %}
            union all
        {%- endif %}
    {%- endfor %}
),

resolved as (
    select
        parts.segment,
        parts.milestone_name,
        parts.event_rule,
        parts.property_key,
        parts.property_value,
        taxonomy.event_name
    from parts
    inner join taxonomy
        on
            parts.event_part = taxonomy.event_name
            or parts.event_part = {{ dbt.concat(["'category:'", 'taxonomy.category']) }}
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
