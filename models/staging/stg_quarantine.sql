{#- Every landed row that staging could not use, with the reason. One list
    per landing table, in the same shape. Events also fail here when their
    account is unknown (event_quarantine_reason): their record then holds the
    values as typed (timestamps in UTC), since the row itself was valid. -#}
{%- set other_tables = {
    'accounts': 'account_id',
    'subscriptions': 'account_id',
    'surveys': 'response_id',
} %}

with

known_accounts as (
    select account_id from {{ ref('base_accounts') }}
    where quarantine_reason is null
),

events_checked as (
    select
        events.*,
        {{ event_quarantine_reason('events', 'known_accounts') }} as checked_reason
    from {{ ref('base_events') }} as events
    left join known_accounts
        on events.account_id = known_accounts.account_id
),

events_rejected as (
    select
        'events' as source_table,
        event_id as record_key,
        checked_reason as quarantine_reason,
        case when checked_reason = quarantine_reason then quarantine_detail end as quarantine_detail,
        landing_date,
        source_file,
        source_row,
        loaded_at,
        coalesce(raw_record, {{ json_record({
            'event_id': 'event_id', 'account_id': 'account_id', 'user_id': 'user_id',
            'event_name': 'event_name', 'occurred_at': 'occurred_at',
            'received_at': 'received_at', 'properties': 'properties'}) }}) as raw_record
    from events_checked
    where checked_reason is not null
),

{% for table, key in other_tables.items() -%}
    {{ table }}_rejected as (
        select
            '{{ table }}' as source_table,
            {{ key }} as record_key,
            quarantine_reason,
            quarantine_detail,
            landing_date,
            source_file,
            source_row,
            loaded_at,
            raw_record
        from {{ ref('base_' ~ table) }}
        where quarantine_reason is not null
    ),

{% endfor -%}

final as (
    select * from events_rejected
    {%- for table in other_tables %}
        union all
        select * from {{ table }}_rejected
    {%- endfor %}
)

select * from final
