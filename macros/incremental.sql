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
    Returns a query with one column, landing_date. -#}
{% macro landing_dates_to_rebuild(landed, lookback_days) -%}
    {%- set range = partition_range() -%}
    with requested as (
        {%- if range is not none %}
        select distinct _landing_date as landing_date
        from {{ landed }}
        where _landing_date between date '{{ range.start }}' and date '{{ range.end }}'
        union
        select distinct landing_date
        from {{ this }}
        where landing_date between date '{{ range.start }}' and date '{{ range.end }}'
        {%- else %}
        select distinct _landing_date as landing_date
        from {{ landed }}
        where _loaded_at > (select coalesce(max(loaded_at), timestamp '1900-01-01') from {{ this }})
        {%- endif %}
    ),

    bounds as (
        select
            min(landing_date) as first_date,
            max(landing_date) as last_date
        from requested
    )

    select landing_date from requested
    union
    select distinct landed._landing_date as landing_date
    from {{ landed }} as landed
    cross join bounds
    where
        landed._landing_date > bounds.first_date
        and landed._landing_date <= {{ dbt.dateadd('day', lookback_days, 'bounds.last_date') }}
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
