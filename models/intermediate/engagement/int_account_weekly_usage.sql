{#- Weeks since sign-up (week N = days 7N .. 7N+6) in which the account
    used the product: any event except outreach by the vendor's own staff
    (event category 'outreach'). Account-level incremental: a run recomputes
    only the accounts whose events or account changed
    (macros/incremental/accounts.sql). -#}
{{
    config(
        materialized=account_level_materialization(),
        incremental_strategy='replace_accounts',
        recompute_events_from=none,
        rows_for_every_account=false,
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

account_signatures as (
    {{ account_signatures() }}
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
        account_signatures.account_signature as _account_signature,
        {{ inputs_fingerprint_column() }}
    from weeks
    inner join accounts
        on weeks.account_id = accounts.account_id
    left join account_signatures
        on weeks.account_id = account_signatures.account_id
)

{{ log_accounts_to_recompute() }}
select * from final
