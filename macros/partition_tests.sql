{#- The models whose data tests a partition run narrows to the landing dates it
    rebuilt: the event models, partitioned by landing date. -#}
{% macro partition_tested_models() -%}
    {{ return(['base_events', 'stg_events']) }}
{%- endmacro %}

{#- dbt's generic data tests read the relation they check through this macro
    (dbt's own get_where_subquery, overridden here for every adapter). On top of
    a test's `where`, a partition run (ONBOARDING_PARTITION_START/END: a Dagster
    partition or backfill) checks the event models on the landing dates it
    rebuilt, the range and the `dedupe_lookback_days` after it, not the whole
    history; a build without a range (`dbt build`, `make build`, a full build
    through Dagster) checks every row, as a test in dbt always does. The rows of
    the other dates were checked when they were built, and a full build checks
    them again. -#}
{% macro default__get_where_subquery(relation) -%}
    {%- set conditions = [] -%}
    {%- if config.get('where') -%}
        {%- do conditions.append('(' ~ config.get('where') ~ ')') -%}
    {%- endif -%}
    {%- set range = partition_range() -%}
    {%- if range is not none and relation.identifier in partition_tested_models() -%}
        {%- set last = modules.datetime.date.fromisoformat(range.end)
            + modules.datetime.timedelta(days=var('dedupe_lookback_days') | int) -%}
        {%- do conditions.append("landing_date between date '" ~ range.start ~ "' and date '" ~ last.isoformat() ~ "'") -%}
    {%- endif -%}
    {%- if conditions -%}
        {{ return('(select * from ' ~ relation ~ ' where ' ~ conditions | join(' and ') ~ ') dbt_subquery') }}
    {%- else -%}
        {{ return(relation) }}
    {%- endif -%}
{%- endmacro %}
