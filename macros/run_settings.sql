{#- Values that reach SQL from the environment are validated here, so a
    malformed value fails with a clear message instead of reaching a query.
    They come through env_var() rather than --vars so that partial parsing
    keeps working between runs. -#}

{#- An ISO date (YYYY-MM-DD) from the environment, or none when unset. A day
    that does not exist (2026-02-31) is refused naming the setting. -#}
{% macro env_date(name) -%}
    {%- set value = env_var(name, '') | trim -%}
    {%- if value == '' -%}
        {{ return(none) }}
    {%- endif -%}
    {%- if not modules.re.fullmatch('[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])', value) -%}
        {{ exceptions.raise_compiler_error(name ~ "='" ~ value ~ "' is not a date of the form YYYY-MM-DD") }}
    {%- endif -%}
    {%- if not is_real_day(value) -%}
        {{ exceptions.raise_compiler_error(name ~ "='" ~ value ~ "' is not a valid date (day is out of range for month)") }}
    {%- endif -%}
    {{ return(modules.datetime.date.fromisoformat(value).isoformat()) }}
{%- endmacro %}

{#- True when YYYY-MM-DD[...] names a day of the calendar (no 2026-02-31). -#}
{% macro is_real_day(value) -%}
    {%- set year, month, day = value[0:4] | int, value[5:7] | int, value[8:10] | int -%}
    {%- if month < 1 or month > 12 or day < 1 -%}
        {{ return(false) }}
    {%- endif -%}
    {%- set first = modules.datetime.date(year, month, 1) -%}
    {%- set next_first = modules.datetime.date(year + (month // 12), month % 12 + 1, 1) -%}
    {{ return(day <= (next_first - first).days) }}
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
    {%- if not is_real_day(value) -%}
        {{ exceptions.raise_compiler_error(name ~ "='" ~ value ~ "' is not a valid timestamp (day is out of range for month)") }}
    {%- endif -%}
    {%- if value[10:11] in (' ', 'T') and (value[11:13] | int > 23 or value[14:16] | int > 59 or value[17:19] | int > 59) -%}
        {{ exceptions.raise_compiler_error(name ~ "='" ~ value ~ "' is not a valid timestamp (hour, minute or second out of range)") }}
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

{#- An absolute folder or URI from the environment (ONBOARDING_SPARK_RAW_LOCATION), or
    none when unset. It becomes a quoted literal in DDL that takes no parameters
    (Spark's `create table ... location '...'`), so only plain characters pass:
    letters, digits and / . _ - = : @ % + ~ , (the rule of orchestration/settings.py). -#}
{% macro env_location(name) -%}
    {%- set value = env_var(name, '') | trim -%}
    {%- if value == '' -%}
        {{ return(none) }}
    {%- endif -%}
    {%- if not modules.re.fullmatch('([a-z][a-z0-9+.-]*://)?/?[A-Za-z0-9_./=:@%+~,-]+', value)
        or not (value.startswith('/') or '://' in value) -%}
        {{ exceptions.raise_compiler_error(name ~ "='" ~ value ~ "' is not an absolute folder or URI of plain characters (letters, digits, / . _ - = : @ % + ~ ,)") }}
    {%- endif -%}
    {{ return(value) }}
{%- endmacro %}

{#- A hash of a setting's value, never the value: for the fingerprint of the
    incremental models (macros/incremental/fingerprint.sql), which rebuild a
    model whole when a setting its SQL reads changes. -#}
{% macro env_fingerprint(name) -%}
    {{ return(local_md5(env_var(name, '') | trim)[:12]) }}
{%- endmacro %}
