{#- Each account-month's MRR movement against the month before: new (first
    MRR ever), expansion, contraction, churn (to 0), reactivation (MRR again
    after a month at 0), or unchanged. -#}

with

monthly as (
    select * from {{ ref('int_account_monthly_mrr') }}
),

lagged as (
    select
        account_id,
        month_number,
        revenue_month,
        is_month_complete,
        mrr,
        coalesce(lag(mrr) over (partition by account_id order by revenue_month), 0) as previous_mrr,
        coalesce(
            max(mrr) over (
                partition by account_id order by revenue_month
                rows between unbounded preceding and 1 preceding
            ),
            0
        ) as highest_earlier_mrr
    from monthly
),

final as (
    select
        account_id,
        month_number,
        revenue_month,
        is_month_complete,
        previous_mrr,
        mrr,
        mrr - previous_mrr as mrr_change,
        case
            when previous_mrr = 0 and mrr > 0 and highest_earlier_mrr = 0 then 'new'
            when previous_mrr = 0 and mrr > 0 then 'reactivation'
            when previous_mrr > 0 and mrr = 0 then 'churn'
            when previous_mrr > 0 and mrr > previous_mrr then 'expansion'
            when previous_mrr > 0 and mrr < previous_mrr then 'contraction'
            else 'unchanged'
        end as movement
    from lagged
)

select * from final
