{#- Engine-specific SQL lives here, behind adapter.dispatch, so that models
    stay portable: a new engine adds its own `<engine>__` implementations.
    The `default__` versions are DuckDB's dialect, the `spark__` ones Spark
    SQL (4.x, ANSI mode). Both must give the same result for the same input:
    tests/pipeline/test_spark_equivalence.py builds every model on both engines and
    compares the marts, and tests/fast/test_portability.py fails when a model
    calls an engine-specific function instead of a macro of this file. -#}

{#- Text to a UTC timestamp (without time zone); null when it does not parse.
    Text with an offset is converted to UTC; text without one is taken as UTC. -#}
{% macro parse_utc_timestamp(expression) -%}
    {{ return(adapter.dispatch('parse_utc_timestamp', 'onboarding')(expression)) }}
{%- endmacro %}

{% macro default__parse_utc_timestamp(expression) -%}
    (try_cast(nullif(trim({{ expression }}), '') as timestamptz) at time zone 'UTC')
{%- endmacro %}

{#- The session time zone is UTC (profiles.yml), so Spark's timestamp is UTC. -#}
{% macro spark__parse_utc_timestamp(expression) -%}
    try_cast(nullif(trim({{ expression }}), '') as timestamp)
{%- endmacro %}

{#- A cast that gives null instead of failing. -#}
{% macro safe_cast(expression, type) -%}
    {{ return(adapter.dispatch('safe_cast', 'onboarding')(expression, type)) }}
{%- endmacro %}

{% macro default__safe_cast(expression, type) -%}
    try_cast({{ expression }} as {{ type }})
{%- endmacro %}

{#- DuckDB rounds text with decimals to an integer type ('4.5' -> 5, half away
    from zero); Spark's try_cast gives null. Round the same way on Spark. -#}
{% macro spark__safe_cast(expression, type) -%}
    {%- if type | lower | trim in ('integer', 'int', 'bigint', 'smallint', 'tinyint') -%}
        try_cast(round(try_cast({{ expression }} as decimal(38, 9))) as {{ type }})
    {%- else -%}
        try_cast({{ expression }} as {{ type }})
    {%- endif -%}
{%- endmacro %}

{#- True when the text is a JSON object (false for invalid JSON, arrays, scalars). -#}
{% macro is_json_object(expression) -%}
    {{ return(adapter.dispatch('is_json_object', 'onboarding')(expression)) }}
{%- endmacro %}

{% macro default__is_json_object(expression) -%}
    (case when json_valid({{ expression }}) then json_type({{ expression }}) = 'OBJECT' else false end)
{%- endmacro %}

{#- json_object_keys is null for invalid JSON and for JSON that is not an object. -#}
{% macro spark__is_json_object(expression) -%}
    (json_object_keys({{ expression }}) is not null)
{%- endmacro %}

{#- The text value of a top-level key of a JSON object; the key may be a column. -#}
{% macro json_text(json_expression, key_expression) -%}
    {{ return(adapter.dispatch('json_text', 'onboarding')(json_expression, key_expression)) }}
{%- endmacro %}

{% macro default__json_text(json_expression, key_expression) -%}
    json_extract_string({{ json_expression }}, '$.' || {{ key_expression }})
{%- endmacro %}

{% macro spark__json_text(json_expression, key_expression) -%}
    get_json_object({{ json_expression }}, '$.' || {{ key_expression }})
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

{#- to_json drops null fields unless told not to; DuckDB's json_object keeps them. -#}
{% macro spark__json_record(columns) -%}
    {%- set pairs = columns.items() if columns is mapping else zip(columns, columns) -%}
    to_json(named_struct(
        {%- for key, expression in pairs %}
        '{{ key }}', {{ expression }}{{ "," if not loop.last }}
        {%- endfor %}
    ), map('ignoreNullFields', 'false'))
{%- endmacro %}

{#- Seconds from one timestamp to another, with milliseconds (truncated), as a double. -#}
{% macro elapsed_seconds(start_expression, end_expression) -%}
    {{ return(adapter.dispatch('elapsed_seconds', 'onboarding')(start_expression, end_expression)) }}
{%- endmacro %}

{% macro default__elapsed_seconds(start_expression, end_expression) -%}
    ((epoch_ms({{ end_expression }}) - epoch_ms({{ start_expression }})) / 1000.0)
{%- endmacro %}

{#- Cast before dividing: Spark divides a bigint by 1000.0 as a decimal. -#}
{% macro spark__elapsed_seconds(start_expression, end_expression) -%}
    (cast(unix_millis({{ end_expression }}) - unix_millis({{ start_expression }}) as double) / 1000)
{%- endmacro %}

{#- dbt.dateadd on Spark: dbt-spark's version goes through Unix seconds and
    drops the fraction of a second (DuckDB keeps it: a window ending 7 days
    after a sign-up at 09:15:02.123 ends at .123 there). timestampadd keeps
    microseconds; a date is taken as its midnight (UTC session), and the result
    is a timestamp on both engines. Month arithmetic clamps to the month's last
    day on both (Jan 31 + 1 month = Feb 28). -#}
{% macro spark__dateadd(datepart, interval, from_date_or_timestamp) -%}
    timestampadd({{ datepart }}, cast({{ interval }} as bigint), cast({{ from_date_or_timestamp }} as timestamp))
{%- endmacro %}

{#- A continuous percentile (linear interpolation) of an aggregate group; `fraction` in [0, 1]. -#}
{% macro percentile_cont(expression, fraction) -%}
    {{ return(adapter.dispatch('percentile_cont', 'onboarding')(expression, fraction)) }}
{%- endmacro %}

{% macro default__percentile_cont(expression, fraction) -%}
    quantile_cont({{ expression }}, {{ fraction }})
{%- endmacro %}

{#- Spark's `percentile` is exact and interpolates linearly, like quantile_cont
    (percentile_approx would not be). -#}
{% macro spark__percentile_cont(expression, fraction) -%}
    percentile({{ expression }}, {{ fraction }})
{%- endmacro %}

{#- A 64-bit hash of a row's values (a list of SQL expressions): what the
    incremental models compare to find the rows and accounts that changed. -#}
{% macro row_hash(expressions) -%}
    {{ return(adapter.dispatch('row_hash', 'onboarding')(expressions)) }}
{%- endmacro %}

{% macro default__row_hash(expressions) -%}
    hash({{ expressions | join(', ') }})
{%- endmacro %}

{% macro spark__row_hash(expressions) -%}
    xxhash64({{ expressions | join(', ') }})
{%- endmacro %}

{#- The sum of hashes (an order-independent digest of a set of rows), as an
    exact decimal or huge integer; 0 for no rows. -#}
{% macro sum_of_hashes(hash_expression) -%}
    {{ return(adapter.dispatch('sum_of_hashes', 'onboarding')(hash_expression)) }}
{%- endmacro %}

{% macro default__sum_of_hashes(hash_expression) -%}
    coalesce(sum(cast({{ hash_expression }} as hugeint)), 0)
{%- endmacro %}

{% macro spark__sum_of_hashes(hash_expression) -%}
    coalesce(sum(cast({{ hash_expression }} as decimal(38, 0))), 0)
{%- endmacro %}

{#- The digest of a table's rows, columns given by name (quoted here). -#}
{% macro sum_of_row_hashes(column_names) -%}
    {%- set quoted = [] -%}
    {%- for name in column_names -%}
        {%- do quoted.append(adapter.quote(name)) -%}
    {%- endfor -%}
    {{ sum_of_hashes(row_hash(quoted)) }}
{%- endmacro %}

{#- Run before every dbt command (on-run-start): makes the raw source tables
    readable. On DuckDB nothing: the landing loader writes raw.* into the
    warehouse file. On Spark, each table of the `raw` source is registered as
    an external Parquet table (columns from models/staging/_sources.yml, text
    unless a `data_type` is declared) over the Parquet mirror the loader
    writes (orchestration/landing/parquet_mirror.py): `<table>/` inside the
    `raw` schema's folder, or ONBOARDING_SPARK_RAW_LOCATION/<table> when set
    (an absolute URI such as s3a://bucket/onboarding/raw). A table that
    already exists is kept as it is (a cluster whose ingestion registers its
    own raw tables), and its file listing is refreshed. -#}
{% macro register_landed_tables() -%}
    {{ return(adapter.dispatch('register_landed_tables', 'onboarding')()) }}
{%- endmacro %}

{% macro default__register_landed_tables() -%}
{%- endmacro %}

{% macro spark__register_landed_tables() -%}
    {%- if execute -%}
        {%- set location_root = env_location('ONBOARDING_SPARK_RAW_LOCATION') -%}
        {%- set raw_tables = graph.sources.values() | selectattr('source_name', 'equalto', 'raw') | list -%}
        {%- for schema in raw_tables | map(attribute='schema') | unique -%}
            {%- do run_query('create schema if not exists ' ~ schema) -%}
        {%- endfor -%}
        {%- for table in raw_tables -%}
            {%- set columns = [] -%}
            {%- for column in table.columns.values() -%}
                {%- do columns.append(column.name ~ ' ' ~ (column.data_type or 'string')) -%}
            {%- endfor -%}
            {%- set location = (location_root ~ '/' if location_root else '') ~ table.identifier -%}
            {%- do run_query(
                'create table if not exists ' ~ table.schema ~ '.' ~ table.identifier
                ~ ' (' ~ columns | join(', ') ~ ') using parquet'
                ~ " location '" ~ location ~ "'") -%}
            {%- do run_query('refresh table ' ~ table.schema ~ '.' ~ table.identifier) -%}
        {%- endfor -%}
    {%- endif -%}
{%- endmacro %}

{#- True when the text matches a regular expression (anywhere in it; anchor with ^ $).
    Patterns use the syntax both engines share (RE2 on DuckDB, Java on Spark):
    classes, repetition, anchors; write `[.]` rather than a backslash escape. -#}
{% macro matches_pattern(expression, pattern) -%}
    {{ return(adapter.dispatch('matches_pattern', 'onboarding')(expression, pattern)) }}
{%- endmacro %}

{% macro default__matches_pattern(expression, pattern) -%}
    regexp_matches({{ expression }}, '{{ pattern }}')
{%- endmacro %}

{% macro spark__matches_pattern(expression, pattern) -%}
    ({{ expression }} rlike '{{ pattern }}')
{%- endmacro %}

{#- Text without leading and trailing whitespace: spaces, tabs, line feeds, carriage
    returns (DuckDB's one-argument trim removes spaces only). -#}
{% macro trim_whitespace(expression) -%}
    {{ return(adapter.dispatch('trim_whitespace', 'onboarding')(expression)) }}
{%- endmacro %}

{% macro default__trim_whitespace(expression) -%}
    trim({{ expression }}, ' ' || chr(9) || chr(10) || chr(13))
{%- endmacro %}

{% macro spark__trim_whitespace(expression) -%}
    trim(both concat(' ', chr(9), chr(10), chr(13)) from {{ expression }})
{%- endmacro %}
