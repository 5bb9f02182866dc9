with

events as (
    select * from {{ ref('base_events') }}
    where quarantine_reason is null
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
        {{ elapsed_seconds('occurred_at', 'received_at') }} >= 86400 as is_late_arrival,
        landing_date,
        loaded_at
    from events
)

select * from final
