{#- Which landing dates an incremental model over a landing-partitioned raw
    table rebuilds (it deletes and rewrites them whole, so a rerun changes
    nothing):
    - every date whose landed rows differ from what the model last read:
      a date whose (loaded_at, row count) groups in the raw table differ
      from the model's own; so a date (re)loaded by any path since (the CLI
      loader, `make load`, a Dagster partition), a date whose files were
      removed in part, and a date no longer landed at all;
    - the range in ONBOARDING_PARTITION_START/END when set (a Dagster
      partition or backfill), even when nothing changed;
    - plus the landed dates up to `lookback_days` after those, when they
      exist (an out-of-order backfill): which copy of a re-delivered event
      counts depends on the earlier dates.
    Renders CTEs ending with `dates_to_rebuild` (one column, landing_date);
    call it at the start of a line inside a `with`. A change of anything else
    the rows depend on (the model's SQL, a var) rebuilds every date
    (macros/incremental/fingerprint.sql). -#}
{% macro landing_dates_to_rebuild(landed, lookback_days) -%}
{%- set range = partition_range() -%}
landed_batches as (
    select
        landed._landing_date as landing_date,
        landed._loaded_at as loaded_at,
        count(*) as row_count
    from {{ landed }} as landed
    group by landed._landing_date, landed._loaded_at
),

built_batches as (
    select
        existing.landing_date,
        existing.loaded_at,
        count(*) as row_count
    from {{ this }} as existing
    group by existing.landing_date, existing.loaded_at
),

changed_batches as (
    (
        select * from landed_batches
        except
        select * from built_batches
    )
    union
    (
        select * from built_batches
        except
        select * from landed_batches
    )
),

requested_dates as (
    select distinct changed_batches.landing_date from changed_batches
    {%- if range is not none %}
    union
    select landed_batches.landing_date
    from landed_batches
    where landed_batches.landing_date between date '{{ range.start }}' and date '{{ range.end }}'
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
    select distinct landed_batches.landing_date
    from landed_batches
    cross join requested_bounds
    where
        landed_batches.landing_date > requested_bounds.first_date
        and landed_batches.landing_date <= {{ dbt.dateadd('day', lookback_days, 'requested_bounds.last_date') }}
)
{%- endmacro %}

{#- The incremental strategy of a model rebuilt by landing date (its config
    also has partition_by=['landing_date'], which only Spark uses):
    - DuckDB: `replace_landing_dates` below (delete + insert of whole dates);
    - Spark: `insert_overwrite` of the landing_date partitions present in the
      new rows (Parquet tables cannot delete rows). A date that is no longer
      landed at all keeps its old rows there until the model is rebuilt whole. -#}
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
    present in the new rows and every date that is no longer landed at all
    (its files were removed), then insert the new rows. dbt's delete+insert
    alone would keep the rows of a date removed from the landing zone. The
    landed table is the model's (only) source. -#}
{% macro get_incremental_replace_landing_dates_sql(arg_dict) -%}
    {%- set target = arg_dict['target_relation'] -%}
    {%- set new_rows = arg_dict['temp_relation'] -%}
    {%- set columns = get_quoted_csv(arg_dict['dest_columns'] | map(attribute='name')) -%}
    {%- set landed = source(model.sources[0][0], model.sources[0][1]) -%}
    delete from {{ target }}
    where
        landing_date in (select distinct new_rows.landing_date from {{ new_rows }} as new_rows)
        or landing_date not in (
            select distinct landed._landing_date from {{ landed }} as landed
            where landed._landing_date is not null
        );

    insert into {{ target }} ({{ columns }})
    select {{ columns }} from {{ new_rows }}
{%- endmacro %}
