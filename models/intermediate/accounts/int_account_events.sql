{#- An account's events from its sign-up on, with the account's day and week
    numbers. Events before sign-up (clock skew, imported history) count in no
    metric. A view: the models above read it with their own filters, so the
    events are scanned once per model and never copied. -#}
{{ config(materialized='view') }}

with

events as (
    select * from {{ ref('stg_events') }}
),

accounts as (
    select * from {{ ref('int_accounts') }}
),

taxonomy as (
    select * from {{ ref('event_taxonomy') }}
),

final as (
    select
        events.event_id,
        events.account_id,
        events.user_id,
        events.event_name,
        coalesce(taxonomy.category, 'unknown') as event_category,
        events.occurred_at,
        events.received_at,
        events.properties,
        events.loaded_at,
        accounts.signed_up_at,
        accounts.config_segment,
        {{ day_number('accounts.signed_up_at', 'events.occurred_at') }} as day_number
    from events
    inner join accounts
        on events.account_id = accounts.account_id
    left join taxonomy
        on events.event_name = taxonomy.event_name
    where events.occurred_at >= accounts.signed_up_at
)

select * from final
