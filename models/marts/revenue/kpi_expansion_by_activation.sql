{#- Revenue six months after sign-up by activation cohort (activated within the
    segment's window or not) and segment: expansion ARR over months 1 to 6
    (12 x the MRR added by expansions), MRR at month 6 against the sign-up
    month, for the accounts whose sixth month after the sign-up month is
    complete. -#}

with

movements as (
    select * from {{ ref('fct_mrr_movements') }}
),

accounts as (
    select * from {{ ref('fct_account_onboarding') }}
),

six_months as (
    select
        account_id,
        sum(case when month_number = 0 then mrr else 0 end) as first_month_mrr,
        sum(case when month_number = 6 then mrr else 0 end) as month_6_mrr,
        sum(
            case when month_number between 1 and 6 and movement = 'expansion' then mrr_change else 0 end
        ) as expansion_mrr,
        {{ count_if("month_number between 1 and 6 and movement = 'expansion'") }} as expansions,
        {{ count_if('month_number = 6 and is_month_complete') }} = 1 as is_mature
    from movements
    where month_number <= 6
    group by account_id
),

cohorts as (
    {{ rollup_rows(
        'accounts',
        ['segment'],
        [['segment'], []],
        ['account_id', "case when is_activated_in_window then 'activated' else 'not_activated' end as activation_cohort"]
    ) }}
),

final as (
    select
        cohorts.activation_cohort,
        cohorts.segment,
        count(*) as accounts_at_6_months,
        {{ count_if('six_months.expansions > 0') }} as expanded_accounts,
        {{ safe_rate(count_if('six_months.expansions > 0'), 'count(*)') }} as expanded_share,
        sum(six_months.first_month_mrr) as first_month_mrr,
        sum(six_months.month_6_mrr) as month_6_mrr,
        12 * sum(six_months.expansion_mrr) as expansion_arr_6_months,
        cast(12 * sum(six_months.expansion_mrr) as double) / count(*) as expansion_arr_6_months_per_account,
        {{ safe_rate('sum(six_months.month_6_mrr)', 'sum(six_months.first_month_mrr)') }}
            as net_revenue_retention_6_months
    from cohorts
    inner join six_months
        on cohorts.account_id = six_months.account_id
    where six_months.is_mature
    group by cohorts.activation_cohort, cohorts.segment
)

select * from final
