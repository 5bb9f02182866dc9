{#- Which landing dates an incremental model over a landing-partitioned raw
    table rebuilds (it deletes and rewrites them whole, so a rerun changes
    nothing):
    - the range in ONBOARDING_PARTITION_START/END when set (a Dagster
      partition or backfill), including dates in it that are no longer
      landed (the replace_landing_dates strategy removes their rows);
    - otherwise every date the loader (re)loaded since this model last ran;
    - plus the landed dates up to `lookback_days` after those, when they
      exist (an out-of-order backfill): which copy of a re-delivered event
      counts depends on the earlier dates.
    Renders CTEs ending with `dates_to_rebuild` (one column, landing_date);
    call it at the start of a line inside a `with`. -#}
{% macro landing_dates_to_rebuild(landed, lookback_days) -%}
{%- set range = partition_range() -%}
requested_dates as (
    {%- if range is not none %}
    select distinct landed._landing_date as landing_date
    from {{ landed }} as landed
    where landed._landing_date between date '{{ range.start }}' and date '{{ range.end }}'
    union
    select distinct existing.landing_date
    from {{ this }} as existing
    where existing.landing_date between date '{{ range.start }}' and date '{{ range.end }}'
    {%- else %}
    select distinct landed._landing_date as landing_date
    from {{ landed }} as landed
    where
        landed._loaded_at > (
            select coalesce(max(existing.loaded_at), timestamp '1900-01-01') as last_loaded_at
            from {{ this }} as existing
        )
    {%- endif %}
),

requested_bounds as (
    select
        min(requested_dates.landing_date) as first_date,
        max(requested_dates.landing_date) as last_date
    from requested_dates
),

dates_to_rebuild as (
    select requested_dates.landing_date from requested_dates
    union
    select distinct landed._landing_date as landing_date
    from {{ landed }} as landed
    cross join requested_bounds
    where
        landed._landing_date > requested_bounds.first_date
        and landed._landing_date <= {{ dbt.dateadd('day', lookback_days, 'requested_bounds.last_date') }}
)
{%- endmacro %}

{#- The incremental strategy of a model rebuilt by landing date (its config
    also has partition_by=['landing_date'], which only Spark uses):
    - DuckDB: `replace_landing_dates` below (delete + insert of whole dates);
    - Spark: `insert_overwrite` of the landing_date partitions present in the
      new rows (Parquet tables cannot delete rows). A date of the requested
      range that is no longer landed at all keeps its old rows there. -#}
{% macro landing_dates_strategy() -%}
    {{ return(adapter.dispatch('landing_dates_strategy', 'onboarding')()) }}
{%- endmacro %}

{% macro default__landing_dates_strategy() -%}
    {{ return('replace_landing_dates') }}
{%- endmacro %}

{% macro spark__landing_dates_strategy() -%}
    {{ return('insert_overwrite') }}
{%- endmacro %}

{#- Incremental strategy `replace_landing_dates`: delete every landing date
    present in the new rows, and also every date of the requested range
    (ONBOARDING_PARTITION_START/END) even when nothing is landed for it any
    more, then insert the new rows. dbt's delete+insert alone would keep the
    rows of a date that was removed from the landing zone. -#}
{% macro get_incremental_replace_landing_dates_sql(arg_dict) -%}
    {%- set target = arg_dict['target_relation'] -%}
    {%- set source = arg_dict['temp_relation'] -%}
    {%- set columns = get_quoted_csv(arg_dict['dest_columns'] | map(attribute='name')) -%}
    {%- set range = partition_range() -%}
    delete from {{ target }}
    where
        landing_date in (select distinct landing_date from {{ source }})
        {%- if range is not none %}
        or landing_date between date '{{ range.start }}' and date '{{ range.end }}'
        {%- endif %};

    insert into {{ target }} ({{ columns }})
    select {{ columns }} from {{ source }}
{%- endmacro %}
