{#- One row per retention insight, account, cohort and interval: whether the
    account returned in the interval and, for cumulative insights, in it or
    any later reported interval; whether the interval (and every later one)
    is complete at the as-of instant. -#}

with

intervals as (
    select * from {{ ref('int_account_retention_intervals') }}
),

insights as (
    select * from {{ ref('int_retention_insights') }}
),

later as (
    select
        intervals.*,
        max(case when intervals.is_returned then 1 else 0 end) over on_or_after = 1 as is_returned_on_or_after,
        min(case when intervals.is_interval_complete then 1 else 0 end) over on_or_after = 1
            as is_horizon_complete
    from intervals
    window on_or_after as (
        partition by intervals.insight_name, intervals.account_id, intervals.cohort_start
        order by intervals.interval_number desc
        rows between unbounded preceding and current row
    )
),

final as (
    select
        later.insight_name,
        later.account_id,
        later.cohort_start,
        later.interval_number,
        later.interval_start,
        later.interval_end,
        insights.cumulative,
        case when insights.cumulative then later.is_returned_on_or_after else later.is_returned end
            as is_retained,
        case when insights.cumulative then later.is_horizon_complete else later.is_interval_complete end
            as is_mature
    from later
    inner join insights
        on later.insight_name = insights.insight_name
)

select * from final
