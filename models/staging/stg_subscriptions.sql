with

subscriptions as (
    select * from {{ ref('base_subscriptions') }}
    where quarantine_reason is null
),

final as (
    select
        account_id,
        period_start,
        period_end,
        mrr,
        seats,
        plan,
        loaded_at
    from subscriptions
)

select * from final
