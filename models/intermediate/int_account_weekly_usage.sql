{#- Weeks since sign-up (week N = days 7N .. 7N+6) in which the account
    used the product: any event except outreach by the vendor's own staff
    (event category 'outreach'). Account-level incremental
    (macros/account_incremental.sql). -#}
{{
    config(
        materialized=account_level_materialization(),
        incremental_strategy='replace_accounts',
        on_schema_change='fail',
    )
}}

with

events as (
    select * from {{ ref('int_account_events') }}
    where
        event_category <> 'outreach'
        and {{ is_account_to_recompute('account_id') }}
),

accounts as (
    select * from {{ ref('int_accounts') }}
),

as_of as (
    select events_loaded_through from {{ ref('int_as_of') }}
),

weeks as (
    select
        account_id,
        cast(floor(day_number / 7) as integer) as week_number,
        count(*) as usage_events
    from events
    group by account_id, cast(floor(day_number / 7) as integer)
),

final as (
    select
        weeks.account_id,
        weeks.week_number,
        weeks.usage_events,
        accounts.signed_up_at,
        accounts.config_segment,
        as_of.events_loaded_through
    from weeks
    inner join accounts
        on weeks.account_id = accounts.account_id
    cross join as_of
)

select * from final
