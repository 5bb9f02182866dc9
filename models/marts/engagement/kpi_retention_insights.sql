{#- Retention insights: per insight, cohort and interval, the cohort's size
    and the accounts retained in the interval (or, cumulative, in it or
    later); null with a reason while the interval is not complete. -#}

with

intervals as (
    select * from {{ ref('fct_retention_insight_intervals') }}
),

counted as (
    select
        insight_name,
        cohort_start,
        interval_number,
        min(interval_start) as interval_start,
        count(*) as cohort_size,
        {{ count_if('is_retained') }} as retained_so_far,
        min(case when is_mature then 1 else 0 end) = 1 as is_mature,
        max(case when cumulative then 1 else 0 end) = 1 as is_cumulative
    from intervals
    group by insight_name, cohort_start, interval_number
),

final as (
    select
        insight_name,
        cohort_start,
        interval_number,
        interval_start,
        cohort_size,
        case when is_mature then retained_so_far end as retained_accounts,
        case when is_mature then {{ safe_rate('retained_so_far', 'cohort_size') }} end as retention_rate,
        case
            when is_mature then null
            when is_cumulative then 'a reported interval from this one on is not complete at the as-of instant'
            else 'the interval is not complete at the as-of instant'
        end as retained_null_reason
    from counted
)

select * from final
