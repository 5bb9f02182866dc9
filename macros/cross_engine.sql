{#- Engine-specific SQL lives here, behind adapter.dispatch, so that models
    stay portable: a new engine adds its own `<engine>__` implementations.
    The `default__` versions are standard SQL or DuckDB's dialect. -#}

{#- Text to a UTC timestamp (without time zone); null when it does not parse.
    Text with an offset is converted to UTC; text without one is taken as UTC. -#}
{% macro parse_utc_timestamp(expression) -%}
    {{ return(adapter.dispatch('parse_utc_timestamp', 'onboarding')(expression)) }}
{%- endmacro %}

{% macro default__parse_utc_timestamp(expression) -%}
    (try_cast(nullif(trim({{ expression }}), '') as timestamptz) at time zone 'UTC')
{%- endmacro %}

{#- A cast that gives null instead of failing. -#}
{% macro safe_cast(expression, type) -%}
    {{ return(adapter.dispatch('safe_cast', 'onboarding')(expression, type)) }}
{%- endmacro %}

{% macro default__safe_cast(expression, type) -%}
    try_cast({{ expression }} as {{ type }})
{%- endmacro %}

{#- True when the text is a JSON object (false for invalid JSON, arrays, scalars). -#}
{% macro is_json_object(expression) -%}
    {{ return(adapter.dispatch('is_json_object', 'onboarding')(expression)) }}
{%- endmacro %}

{% macro default__is_json_object(expression) -%}
    (case when json_valid({{ expression }}) then json_type({{ expression }}) = 'OBJECT' else false end)
{%- endmacro %}

{#- The text value of a top-level key of a JSON object; the key may be a column. -#}
{% macro json_text(json_expression, key_expression) -%}
    {{ return(adapter.dispatch('json_text', 'onboarding')(json_expression, key_expression)) }}
{%- endmacro %}

{% macro default__json_text(json_expression, key_expression) -%}
    json_extract_string({{ json_expression }}, '$.' || {{ key_expression }})
{%- endmacro %}

{#- A JSON object text, for keeping a rejected row as landed. `columns` is a
    list of column names, or a mapping of key -> SQL expression. -#}
{% macro json_record(columns) -%}
    {{ return(adapter.dispatch('json_record', 'onboarding')(columns)) }}
{%- endmacro %}

{% macro default__json_record(columns) -%}
    {%- set pairs = columns.items() if columns is mapping else zip(columns, columns) -%}
    cast(json_object(
        {%- for key, expression in pairs %}
        '{{ key }}', {{ expression }}{{ "," if not loop.last }}
        {%- endfor %}
    ) as varchar)
{%- endmacro %}

{#- Seconds from one timestamp to another, with milliseconds, as a decimal. -#}
{% macro elapsed_seconds(start_expression, end_expression) -%}
    {{ return(adapter.dispatch('elapsed_seconds', 'onboarding')(start_expression, end_expression)) }}
{%- endmacro %}

{% macro default__elapsed_seconds(start_expression, end_expression) -%}
    ((epoch_ms({{ end_expression }}) - epoch_ms({{ start_expression }})) / 1000.0)
{%- endmacro %}

{#- A continuous percentile (linear interpolation) of an aggregate group; `fraction` in [0, 1]. -#}
{% macro percentile_cont(expression, fraction) -%}
    {{ return(adapter.dispatch('percentile_cont', 'onboarding')(expression, fraction)) }}
{%- endmacro %}

{% macro default__percentile_cont(expression, fraction) -%}
    quantile_cont({{ expression }}, {{ fraction }})
{%- endmacro %}
