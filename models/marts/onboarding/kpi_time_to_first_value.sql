{#- Time to first value by sign-up month and segment, each also over all
    months and all segments ('all'). Observed percentiles describe the
    accounts that reached first value; the Kaplan-Meier median also uses
    the accounts that have not reached it yet (censored at the as-of
    instant), so young cohorts are not biased towards their fastest
    accounts. -#}

with

accounts as (
    select * from {{ ref('fct_account_onboarding') }}
),

durations as (
    select
        cast(signup_month as {{ dbt.type_string() }}) as signup_month,
        segment,
        first_value_observed_seconds as observed_seconds,
        case when is_first_value_reached then 1 else 0 end as has_reached
    from accounts
),

grouped as (
    {{ rollup_rows('durations', ['signup_month', 'segment'],
                   [['signup_month', 'segment'], ['signup_month'], ['segment'], []],
                   ['observed_seconds', 'has_reached']) }}
),

observed as (
    select
        signup_month,
        segment,
        count(*) as signed_up_accounts,
        {{ count_if('has_reached = 1') }} as reached_accounts,
        count(*) - {{ count_if('has_reached = 1') }} as censored_accounts,
        {{ median('case when has_reached = 1 then observed_seconds end') }} / 86400 as median_days,
        {{ percentile_cont('case when has_reached = 1 then observed_seconds end', 0.75) }} / 86400 as p75_days,
        {{ percentile_cont('case when has_reached = 1 then observed_seconds end', 0.9) }} / 86400 as p90_days
    from grouped
    group by signup_month, segment
),

{#- Kaplan-Meier: at each time t with first values, S(t) = S(t-) x (1 -
    reached at t / accounts still at risk at t); an account censored at t
    is still at risk at t. The median is the first t with S(t) <= 0.5. #}

by_time as (
    select
        signup_month,
        segment,
        observed_seconds,
        sum(has_reached) as reached_at_time,
        count(*) as leaving_at_time
    from grouped
    group by signup_month, segment, observed_seconds
),

at_risk as (
    select
        by_time.*,
        sum(by_time.leaving_at_time) over (
            partition by by_time.signup_month, by_time.segment
            order by by_time.observed_seconds desc nulls last
            rows between unbounded preceding and current row
        ) as accounts_at_risk
    from by_time
),

factors as (
    select
        at_risk.*,
        1 - cast(at_risk.reached_at_time as double) / at_risk.accounts_at_risk as survival_factor
    from at_risk
),

survival as (
    select
        signup_month,
        segment,
        observed_seconds,
        reached_at_time,
        case
            when max(case when survival_factor = 0 then 1 else 0 end) over cumulative = 1 then 0
            else exp(coalesce(sum(case when survival_factor > 0 then ln(survival_factor) end) over cumulative, 0))
        end as survival_probability
    from factors
    window cumulative as (
        partition by signup_month, segment
        order by observed_seconds asc nulls last
        rows between unbounded preceding and current row
    )
),

km_median as (
    select
        signup_month,
        segment,
        min(observed_seconds) / 86400 as km_median_days
    from survival
    where reached_at_time > 0 and survival_probability <= 0.5 + 1e-9
    group by signup_month, segment
),

final as (
    select
        observed.signup_month,
        observed.segment,
        observed.signed_up_accounts,
        observed.reached_accounts,
        observed.censored_accounts,
        observed.median_days,
        observed.p75_days,
        observed.p90_days,
        km_median.km_median_days
    from observed
    left join km_median
        on
            observed.signup_month = km_median.signup_month
            and observed.segment = km_median.segment
)

select * from final
