{#- Values that reach SQL from the environment are validated here, so a
    malformed value fails with a clear message instead of reaching a query.
    They come through env_var() rather than --vars so that partial parsing
    keeps working between runs. -#}

{#- An ISO date (YYYY-MM-DD) from the environment, or none when unset. -#}
{% macro env_date(name) -%}
    {%- set value = env_var(name, '') | trim -%}
    {%- if value == '' -%}
        {{ return(none) }}
    {%- endif -%}
    {%- if not modules.re.fullmatch('[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])', value) -%}
        {{ exceptions.raise_compiler_error(name ~ "='" ~ value ~ "' is not a date of the form YYYY-MM-DD") }}
    {%- endif -%}
    {{ return(modules.datetime.date.fromisoformat(value).isoformat()) }}
{%- endmacro %}

{#- An ISO timestamp (YYYY-MM-DD[ HH:MM[:SS]], UTC) from the environment, or none. -#}
{% macro env_timestamp(name) -%}
    {%- set value = env_var(name, '') | trim -%}
    {%- if value == '' -%}
        {{ return(none) }}
    {%- endif -%}
    {%- if not modules.re.fullmatch('[0-9]{4}-[0-9]{2}-[0-9]{2}([ T][0-9]{2}:[0-9]{2}(:[0-9]{2}([.][0-9]{1,6})?)?)?Z?', value) -%}
        {{ exceptions.raise_compiler_error(name ~ "='" ~ value ~ "' is not a UTC timestamp of the form YYYY-MM-DD HH:MM:SS") }}
    {%- endif -%}
    {{ return(value | replace('T', ' ') | replace('Z', '')) }}
{%- endmacro %}

{#- The landing-date range to rebuild (ONBOARDING_PARTITION_START/END,
    inclusive), or none to rebuild what was loaded since the last run. -#}
{% macro partition_range() -%}
    {%- set start = env_date('ONBOARDING_PARTITION_START') -%}
    {%- set end = env_date('ONBOARDING_PARTITION_END') -%}
    {%- if start is none and end is none -%}
        {{ return(none) }}
    {%- endif -%}
    {%- if start is none or end is none -%}
        {{ exceptions.raise_compiler_error("set both ONBOARDING_PARTITION_START and ONBOARDING_PARTITION_END, or neither") }}
    {%- endif -%}
    {%- if start > end -%}
        {{ exceptions.raise_compiler_error("ONBOARDING_PARTITION_START " ~ start ~ " is after ONBOARDING_PARTITION_END " ~ end) }}
    {%- endif -%}
    {{ return({'start': start, 'end': end}) }}
{%- endmacro %}
