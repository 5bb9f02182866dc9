{#- Event rules: the event_name column of the milestones, funnel_steps and
    funnel_exclusions seeds. A rule is one event name, several separated by
    '|' (any of them: 'question_posted|answer_posted'; spaces around '|' are
    trimmed), 'category:<category>' (every event of that event_taxonomy
    category), or a mix ('sso_configured|category:core_action'). At most 10
    parts: the seeds' known_events test fails on more, and on a part the
    taxonomy does not know. Milestones and funnels resolve their rules here,
    with the same SQL (portable: dbt.split_part, dbt.concat). -#}

{#- One row per part of each rule of `relation`: the given `columns`, the
    rule as written (event_rule), its part (event_part, trimmed) and its
    number of parts (part_count). A select statement, for a CTE. -#}
{% macro event_rule_parts(relation, columns, rule_column='event_name') -%}
    {%- set part_count -%}
        ({{ dbt.length(rule_column) }} - {{ dbt.length(dbt.replace(rule_column, "'|'", "''")) }} + 1)
    {%- endset %}
    {%- for part in range(1, 11) %}
        select
            {%- for column in columns %}
                {{ column }},
            {%- endfor %}
            {{ rule_column }} as event_rule,
            {#- Guarded: Spark's split fails on a part beyond the last. #}
            trim(
                case when {{ part_count }} >= {{ part }} then {{ dbt.split_part(rule_column, "'|'", part) }} end
            ) as event_part,
            {{ part_count }} as part_count
        from {{ relation }}
        where
            {{ rule_column }} is not null
            and {{ part_count }} >= {{ part }}
        {%- if not loop.last %}
            union all
        {%- endif %}
    {%- endfor %}
{%- endmacro %}

{#- The event names each part of `parts` (event_rule_parts) stands for: a
    name part stands for itself, a 'category:<category>' part for every event
    of that category of `taxonomy` (a relation or CTE with event_name and
    category). A part that stands for nothing (a category without events) has
    no row. One row per part and event name: the `columns`, event_rule,
    event_part and event_name. A select statement, for a CTE. -#}
{% macro event_rule_events(parts, taxonomy, columns) -%}
    select
        {%- for column in columns %}
            {{ parts }}.{{ column }},
        {%- endfor %}
        {{ parts }}.event_rule,
        {{ parts }}.event_part,
        {{ parts }}.event_part as event_name
    from {{ parts }}
    where {{ parts }}.event_part not like 'category:%'
    union all
    select
        {%- for column in columns %}
            {{ parts }}.{{ column }},
        {%- endfor %}
        {{ parts }}.event_rule,
        {{ parts }}.event_part,
        {{ taxonomy }}.event_name
    from {{ parts }}
    inner join {{ taxonomy }}
        on {{ parts }}.event_part = {{ dbt.concat(["'category:'", taxonomy ~ '.category']) }}
{%- endmacro %}

{#- Whether an event (its name and taxonomy category) is one a rule part
    stands for: the part is its name, or 'category:' and its category. -#}
{% macro event_rule_matches(part, event_name, category) -%}
    ({{ part }} = {{ event_name }} or {{ part }} = {{ dbt.concat(["'category:'", category]) }})
{%- endmacro %}
