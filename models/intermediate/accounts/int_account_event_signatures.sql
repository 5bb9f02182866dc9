{#- A digest of each account's staged events per event name: how many, and
    the sum of their row hashes (base_events.row_hash). The account-level
    incremental models compare it with the digest they stored to find the
    accounts whose events changed in any way: added, changed, removed,
    quarantined or released (macros/incremental/accounts.sql). One scan of the
    staged events, rebuilt whole on every run. -#}
with

events as (
    select
        account_id,
        event_name,
        row_hash
    from {{ ref('stg_events') }}
),

final as (
    select
        account_id,
        event_name,
        count(*) as event_count,
        {{ sum_of_hashes('row_hash') }} as events_hash
    from events
    group by account_id, event_name
)

select * from final
