{#- Net revenue retention by sign-up cohort: for the accounts of a sign-up
    month that paid at the end of it, their MRR N months later against their
    MRR then (expansion, contraction and churn included), and the share of
    them still paying. Complete months only. -#}

with

movements as (
    select * from {{ ref('fct_mrr_movements') }}
),

cohorts as (
    select
        account_id,
        revenue_month as signup_month,
        mrr as starting_mrr
    from movements
    where month_number = 0 and mrr > 0 and is_month_complete
),

final as (
    select
        cohorts.signup_month,
        movements.month_number,
        count(*) as cohort_accounts,
        sum(cohorts.starting_mrr) as cohort_starting_mrr,
        sum(movements.mrr) as mrr,
        {{ count_if('movements.mrr > 0') }} as paying_accounts,
        {{ safe_rate('sum(movements.mrr)', 'sum(cohorts.starting_mrr)') }} as net_revenue_retention,
        {{ safe_rate(count_if('movements.mrr > 0'), 'count(*)') }} as paying_share
    from cohorts
    inner join movements
        on cohorts.account_id = movements.account_id
    where movements.is_month_complete
    group by cohorts.signup_month, movements.month_number
)

select * from final
