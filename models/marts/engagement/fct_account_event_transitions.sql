{#- One row per account and pair of consecutive event categories: how many
    times the account's next event (in time, then event_id order) after an
    event of from_category was of to_category. The first event follows
    "(start)" and the last is followed by "(end)", so every event is left
    exactly once. With the account's segment and activation status. -#}

with

events as (
    select * from {{ ref('int_account_events') }}
),

accounts as (
    select * from {{ ref('int_accounts') }}
),

activation as (
    select * from {{ ref('int_account_activation') }}
),

sequenced as (
    select
        account_id,
        event_category,
        lag(event_category) over account_order as previous_category,
        lead(event_category) over account_order as next_category
    from events
    window account_order as (partition by account_id order by occurred_at asc, event_id asc)
),

transitions as (
    select
        account_id,
        event_category as from_category,
        coalesce(next_category, '(end)') as to_category
    from sequenced
    union all
    select
        account_id,
        '(start)' as from_category,
        event_category as to_category
    from sequenced
    where previous_category is null
),

final as (
    select
        transitions.account_id,
        accounts.segment,
        activation.activation_status,
        transitions.from_category,
        transitions.to_category,
        count(*) as transitions
    from transitions
    inner join accounts
        on transitions.account_id = accounts.account_id
    inner join activation
        on transitions.account_id = activation.account_id
    group by
        transitions.account_id,
        accounts.segment,
        activation.activation_status,
        transitions.from_category,
        transitions.to_category
)

select * from final
