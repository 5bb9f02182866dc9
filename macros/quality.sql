{#- The reason a row cannot be used: the first failing check, in order, or
    null when every check passes.
    checks: a list of [condition that means "bad", reason] pairs. -#}
{% macro first_failing_check(checks) -%}
    case
        {%- for condition, reason in checks %}
        when {{ condition }} then '{{ reason }}'
        {%- endfor %}
    end
{%- endmacro %}

{#- Text trimmed, with empty text as null. -#}
{% macro clean_text(expression) -%}
    nullif(trim({{ expression }}), '')
{%- endmacro %}

{#- Checks shared by every landed table: a CSV line that did not parse. -#}
{% macro malformed_line_check() -%}
    {{ return(["parse_error is not null", "malformed_line"]) }}
{%- endmacro %}

{#- The relation of a raw table. A run or build fails with a clear message
    when the landing zone has not been loaded into the warehouse yet (compile,
    docs, linters and unit tests, which replace it with fixtures, do not
    need the table). -#}
{% macro require_landed(relation) -%}
    {%- if execute and flags.WHICH in ('run', 'build') and model.resource_type != 'unit_test' -%}
        {%- set found = adapter.get_relation(
            database=relation.database, schema=relation.schema, identifier=relation.identifier) -%}
        {%- if found is none -%}
            {{ exceptions.raise_compiler_error(
                relation.schema ~ "." ~ relation.identifier ~ " does not exist yet: load the landing zone first "
                ~ "(`make load`, or materialize the raw assets in Dagster)") }}
        {%- endif -%}
    {%- endif -%}
    {{ return(relation) }}
{%- endmacro %}
