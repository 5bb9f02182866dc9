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

{#- Text trimmed of surrounding whitespace (spaces, tabs, line breaks), with empty
    text as null: names are matched after trimming. -#}
{% macro clean_text(expression) -%}
    nullif({{ trim_whitespace(expression) }}, '')
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

{#- Where a landed row came from, renamed from the loader's columns; with
    `record_columns`, also `raw_record`: the row as landed (its line, for a
    CSV line that did not parse), kept for the quarantine. -#}
{% macro landing_lineage_columns(record_columns=none) -%}
    _landing_date as landing_date,
    _source_file as source_file,
    _source_row as source_row,
    _loaded_at as loaded_at,
    _parse_error as parse_error
    {%- if record_columns is not none %},
    case
        when _parse_error is not null then _raw_line
        else {{ json_record(record_columns) }}
    end as raw_record
    {%- endif %}
{%- endmacro %}

{#- The reason an event cannot be used, with the account check: base_events
    gives every reason found in the event rows themselves; whether the account
    is known is decided where events are read (stg_events, stg_quarantine),
    against the accounts staged now, so that a replaced accounts file applies
    to every landing date. Same order as base_events' list: unknown_account
    comes just before duplicate_event_id. -#}
{% macro event_quarantine_reason(events, known_accounts) -%}
    case
        when
            {{ events }}.quarantine_reason is not null
            and {{ events }}.quarantine_reason <> 'duplicate_event_id'
            then {{ events }}.quarantine_reason
        when {{ known_accounts }}.account_id is null then 'unknown_account'
        else {{ events }}.quarantine_reason
    end
{%- endmacro %}

{#- Plausibility: the window a landed timestamp must fall in, set in one place
    (dbt_project.yml vars `earliest_plausible_date` and `max_clock_skew_hours`) and
    validated here: a row outside it is quarantined with a reason, so it can move
    neither a cohort nor the as-of instant. -#}
{% macro earliest_plausible_date() -%}
    {%- set value = var('earliest_plausible_date') | string | trim -%}
    {%- if not modules.re.fullmatch('[0-9]{4}-[0-9]{2}-[0-9]{2}', value) or not is_real_day(value) -%}
        {{ exceptions.raise_compiler_error("var earliest_plausible_date='" ~ value ~ "' is not a date of the form YYYY-MM-DD") }}
    {%- endif -%}
    {{ return(value) }}
{%- endmacro %}

{% macro max_clock_skew_seconds() -%}
    {%- set hours = var('max_clock_skew_hours') -%}
    {%- if hours is not number or hours < 0 -%}
        {{ exceptions.raise_compiler_error("var max_clock_skew_hours='" ~ hours ~ "' is not a number of hours >= 0") }}
    {%- endif -%}
    {{ return(hours * 3600) }}
{%- endmacro %}

{#- True when a timestamp is before the earliest plausible date. -#}
{% macro is_before_earliest_date(expression) -%}
    ({{ expression }} < cast('{{ earliest_plausible_date() }}' as timestamp))
{%- endmacro %}

{#- True when a timestamp is later than the row's load time plus the clock skew
    allowed: it claims to come from the future. -#}
{% macro is_after_load_time(expression, loaded_at_expression='loaded_at') -%}
    ({{ elapsed_seconds(loaded_at_expression, expression) }} > {{ max_clock_skew_seconds() }})
{%- endmacro %}

{#- Numbers as landed: plain decimal text only (no exponent, hex, separators). -#}
{% macro is_plain_number(expression) -%}
    {{ matches_pattern(expression, '^[+-]?([0-9]+([.][0-9]*)?|[.][0-9]+)$') }}
{%- endmacro %}

{#- True when decimal text has a non-zero digit beyond `scale` decimal places (0: a
    fraction): the value does not fit the column's type and would be rounded. -#}
{% macro has_digits_beyond(expression, scale) -%}
    {{ matches_pattern(expression, '[.]' ~ ('[0-9]{' ~ scale ~ '}' if scale > 0 else '') ~ '[0-9]*[1-9]') }}
{%- endmacro %}

{#- The end of a period that has none (an ongoing subscription), for comparisons. -#}
{% macro open_end() -%}
    cast('9999-12-31 00:00:00' as timestamp)
{%- endmacro %}
