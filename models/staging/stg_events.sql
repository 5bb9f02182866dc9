with

events as (
    select * from {{ ref('base_events') }}
),

known_accounts as (
    select account_id from {{ ref('base_accounts') }}
    where quarantine_reason is null
),

checked as (
    select
        events.*,
        {{ event_quarantine_reason('events', 'known_accounts') }} as checked_reason
    from events
    left join known_accounts
        on events.account_id = known_accounts.account_id
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
        loaded_at,
        row_hash
    from checked
    where checked_reason is null
)

select * from final
