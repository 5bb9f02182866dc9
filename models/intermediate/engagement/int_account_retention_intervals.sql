{#- Retention insights (seeds/retention_insights.csv), per insight, account,
    cohort and interval: whether the account did the returning event in the
    interval. An account's cohorts: recurring - every period in which it did
    the target event (matching the property filter); first_time - the period
    of its first matching target event; first_ever_occurrence - the period of
    its first target event of any properties, only when that event matches.
    Interval 0 is the cohort's own period and counts every member. Rebuilt
    whole each run (a table). -#}

{%- set max_intervals = var('retention_insight_max_intervals') | int %}

with

insights as (
    select * from {{ ref('retention_insights') }}
),

events as (
    select * from {{ ref('int_account_events') }}
),

as_of as (
    select * from {{ ref('int_as_of') }}
),

target_events as (
    select
        insights.insight_name,
        insights.retention_type,
        insights.period,
        events.account_id,
        events.occurred_at,
        (
            insights.target_property_key is null
            or coalesce(
                {{ json_text('events.properties', 'insights.target_property_key') }} = insights.target_property_value,
                false
            )
        ) as matches_filter
    from events
    inner join insights
        on events.event_name = insights.target_event
),

first_target_events as (
    select
        insight_name,
        retention_type,
        period,
        account_id,
        min(occurred_at) as first_occurred_at,
        min(case when matches_filter then occurred_at end) as first_matching_at
    from target_events
    where retention_type in ('first_time', 'first_ever_occurrence')
    group by insight_name, retention_type, period, account_id
),

cohort_events as (
    select
        insight_name,
        period,
        account_id,
        occurred_at
    from target_events
    where
        retention_type = 'recurring'
        and matches_filter
    union all
    select
        insight_name,
        period,
        account_id,
        first_matching_at as occurred_at
    from first_target_events
    where
        first_matching_at is not null
        and (retention_type = 'first_time' or first_matching_at = first_occurred_at)
),

cohorts as (
    select distinct
        insight_name,
        account_id,
        {{ period_start('period', 'occurred_at') }} as cohort_start
    from cohort_events
),

returns as (
    select distinct
        insights.insight_name,
        events.account_id,
        {{ period_start('insights.period', 'events.occurred_at') }} as returned_in
    from events
    inner join insights
        on events.event_name = insights.returning_event
),

interval_numbers as (
    {{ integer_rows(range(0, max_intervals), 'interval_number') }}
),

intervals as (
    select
        cohorts.insight_name,
        cohorts.account_id,
        cohorts.cohort_start,
        interval_numbers.interval_number,
        {{ period_add('insights.period', 'interval_numbers.interval_number', 'cohorts.cohort_start') }}
            as interval_start,
        {{ period_add('insights.period', 'interval_numbers.interval_number + 1', 'cohorts.cohort_start') }}
            as interval_end
    from cohorts
    inner join insights
        on cohorts.insight_name = insights.insight_name
    inner join interval_numbers
        on insights.total_intervals > interval_numbers.interval_number
),

final as (
    select
        intervals.insight_name,
        intervals.account_id,
        intervals.cohort_start,
        intervals.interval_number,
        intervals.interval_start,
        intervals.interval_end,
        (intervals.interval_number = 0 or returns.returned_in is not null) as is_returned,
        {{ is_period_complete('intervals.interval_end', 'as_of.as_of_at') }} as is_interval_complete
    from intervals
    cross join as_of
    left join returns
        on
            intervals.insight_name = returns.insight_name
            and intervals.account_id = returns.account_id
            and intervals.interval_start = returns.returned_in
)

select * from final
