{{
    config(
        materialized='incremental',
        incremental_strategy=landing_dates_strategy(),
        partition_by=['landing_date'],
        on_schema_change='fail',
    )
}}

{%- set lookback_days = var('dedupe_lookback_days') %}
{%- set max_skew_seconds = var('max_clock_skew_hours') * 3600 %}
{%- set landed_events = require_landed(source('raw', 'events')) %}

with

{% if is_incremental() -%}
{{ landing_dates_to_rebuild(landed_events, lookback_days) }},

rebuild_bounds as (
    select
        max(landing_date) as last_date,
        {{ dbt.dateadd('day', -lookback_days, 'min(landing_date)') }} as lookback_from
    from dates_to_rebuild
),

{% endif -%}

landed as (
    select * from {{ landed_events }}
    {%- if is_incremental() %}
    where _landing_date in (select dates_to_rebuild.landing_date from dates_to_rebuild)
    {%- endif %}
),

typed as (
    select
        {{ clean_text('event_id') }} as event_id,
        {{ clean_text('account_id') }} as account_id,
        {{ clean_text('user_id') }} as user_id,
        {{ clean_text('event_name') }} as event_name,
        {{ parse_utc_timestamp('occurred_at') }} as occurred_at,
        {{ parse_utc_timestamp('received_at') }} as received_at,
        {{ clean_text('properties') }} as properties,
        {{ landing_lineage_columns() }},
        _raw_line as raw_line,
        {#- As landed, for the record of a quarantined row (built only for those). #}
        occurred_at as landed_occurred_at,
        received_at as landed_received_at,
        true as is_in_batch
    from landed
),

{#- Deliveries of the same events on earlier landing dates that are not
    rebuilt now: they decide whether a copy in this batch is a repeat. #}

earlier_deliveries as (
    select
        {{ clean_text('event_id') }} as event_id,
        null as account_id,
        null as user_id,
        null as event_name,
        null as occurred_at,
        {{ parse_utc_timestamp('received_at') }} as received_at,
        null as properties,
        _landing_date as landing_date,
        _source_file as source_file,
        _source_row as source_row,
        null as loaded_at,
        null as parse_error,
        null as raw_line,
        null as landed_occurred_at,
        null as landed_received_at,
        false as is_in_batch
    from {{ landed_events }}
    {%- if is_incremental() %}
        where
            _landing_date >= (select rebuild_bounds.lookback_from from rebuild_bounds)
            and _landing_date < (select rebuild_bounds.last_date from rebuild_bounds)
            and _landing_date not in (select dates_to_rebuild.landing_date from dates_to_rebuild)
            and {{ clean_text('event_id') }} in (select typed.event_id from typed)
    {%- else %}
        where false
    {%- endif %}
),

deliveries as (
    select * from typed
    union all
    select * from earlier_deliveries
),

ordered as (
    select
        deliveries.*,
        lag(deliveries.landing_date) over (
            partition by deliveries.event_id
            order by
                deliveries.landing_date,
                deliveries.received_at nulls last,
                deliveries.source_file,
                deliveries.source_row
        ) as previous_delivery_date
    from deliveries
),

checked as (
    select
        ordered.*,
        {{ first_failing_check([
            malformed_line_check(),
            ["ordered.event_id is null", "missing_event_id"],
            ["ordered.account_id is null", "missing_account_id"],
            ["ordered.event_name is null", "missing_event_name"],
            ["ordered.occurred_at is null", "invalid_occurred_at"],
            ["ordered.received_at is null", "invalid_received_at"],
            ["ordered.properties is not null and not " ~ is_json_object('ordered.properties'),
             "invalid_properties"],
            [elapsed_seconds('ordered.received_at', 'ordered.occurred_at') ~ " > " ~ max_skew_seconds,
             "occurred_after_received"],
            [is_before_earliest_date('ordered.occurred_at') ~ " or " ~ is_before_earliest_date('ordered.received_at'),
             "before_earliest_date"],
            [is_after_load_time('ordered.received_at', 'ordered.loaded_at'), "after_load_time"],
            ["ordered.previous_delivery_date >= "
             ~ dbt.dateadd('day', -lookback_days, 'ordered.landing_date'), "duplicate_event_id"],
        ]) }} as quarantine_reason
    from ordered
    where ordered.is_in_batch
),

final as (
    select
        event_id,
        account_id,
        user_id,
        event_name,
        occurred_at,
        received_at,
        properties,
        landing_date,
        source_file,
        source_row,
        loaded_at,
        quarantine_reason,
        case quarantine_reason
            when 'malformed_line' then parse_error
            when 'duplicate_event_id' then 'an earlier copy landed on ' || cast(previous_delivery_date as {{ dbt.type_string() }})
        end as quarantine_detail,
        case
            when quarantine_reason = 'malformed_line' then raw_line
            when quarantine_reason is not null then {{ json_record({
                'event_id': 'event_id', 'account_id': 'account_id', 'user_id': 'user_id',
                'event_name': 'event_name', 'occurred_at': 'landed_occurred_at',
                'received_at': 'landed_received_at', 'properties': 'properties'}) }}
        end as raw_record,
        {{ row_hash(['event_id', 'account_id', 'user_id', 'event_name', 'occurred_at', 'received_at',
                     'properties', 'quarantine_reason']) }} as row_hash,
        {{ inputs_fingerprint_column() }}
    from checked
)

select * from final
