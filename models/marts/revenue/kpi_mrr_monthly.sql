{#- Revenue per calendar month: MRR at the start and the end, the MRR of each
    movement, logo churn, and net revenue retention over the trailing 12
    months. -#}

with

movements as (
    select * from {{ ref('fct_mrr_movements') }}
),

monthly as (
    select
        revenue_month,
        min(cast(is_month_complete as integer)) = 1 as is_month_complete,
        sum(previous_mrr) as starting_mrr,
        sum(case when movement = 'new' then mrr_change else 0 end) as new_mrr,
        sum(case when movement = 'expansion' then mrr_change else 0 end) as expansion_mrr,
        sum(case when movement = 'contraction' then mrr_change else 0 end) as contraction_mrr,
        sum(case when movement = 'churn' then mrr_change else 0 end) as churned_mrr,
        sum(case when movement = 'reactivation' then mrr_change else 0 end) as reactivation_mrr,
        sum(mrr) as ending_mrr,
        {{ count_if('previous_mrr > 0') }} as customers_at_start,
        {{ count_if("movement = 'new'") }} as new_customers,
        {{ count_if("movement = 'churn'") }} as churned_customers,
        {{ count_if("movement = 'reactivation'") }} as reactivated_customers,
        {{ count_if('mrr > 0') }} as customers_at_end
    from movements
    group by revenue_month
),

year_ago as (
    select
        current_month.revenue_month,
        sum(earlier.mrr) as base_mrr,
        sum(current_month.mrr) as retained_mrr
    from movements as current_month
    inner join movements as earlier
        on
            current_month.account_id = earlier.account_id
            and earlier.revenue_month = cast({{ dbt.dateadd('month', -12, 'current_month.revenue_month') }} as date)
    where earlier.mrr > 0
    group by current_month.revenue_month
),

final as (
    select
        monthly.revenue_month,
        monthly.is_month_complete,
        monthly.starting_mrr,
        monthly.new_mrr,
        monthly.expansion_mrr,
        monthly.contraction_mrr,
        monthly.churned_mrr,
        monthly.reactivation_mrr,
        monthly.ending_mrr,
        monthly.customers_at_start,
        monthly.new_customers,
        monthly.churned_customers,
        monthly.reactivated_customers,
        monthly.customers_at_end,
        {{ safe_rate('monthly.churned_customers', 'monthly.customers_at_start') }} as logo_churn_rate,
        {{ safe_rate('monthly.churned_mrr * -1', 'monthly.starting_mrr') }} as gross_mrr_churn_rate,
        year_ago.base_mrr as trailing_12_months_base_mrr,
        {{ safe_rate('year_ago.retained_mrr', 'year_ago.base_mrr') }} as net_revenue_retention_12_months
    from monthly
    left join year_ago
        on monthly.revenue_month = year_ago.revenue_month
)

select * from final
