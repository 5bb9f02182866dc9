{#- Weeks since sign-up (week N = days 7N .. 7N+6) in which the account
    used the product: any event except outreach by the vendor's own staff
    (event category 'outreach'). -#}

with

events as (
    select * from {{ ref('int_account_events') }}
    where event_category <> 'outreach'
),

final as (
    select
        account_id,
        cast(floor(day_number / 7) as integer) as week_number,
        count(*) as usage_events
    from events
    group by account_id, cast(floor(day_number / 7) as integer)
)

select * from final
