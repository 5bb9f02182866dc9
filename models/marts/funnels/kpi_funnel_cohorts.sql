{#- Funnel conversion by sign-up cohort (week and month): per funnel, grain
    and cohort, the accounts that started the funnel, how many of them have a
    mature attempt (its window elapsed at the as-of instant) and how many of
    those converted. Attempts still inside their window are immature: left
    out of the rate and counted apart, never as failures. -#}

with

progress as (
    select * from {{ ref('fct_funnel_progress') }}
),

cohorts as (
    select
        funnel_name,
        'week' as cohort_grain,
        signup_week as cohort_start,
        is_converted,
        is_window_elapsed
    from progress
    union all
    select
        funnel_name,
        'month' as cohort_grain,
        signup_month as cohort_start,
        is_converted,
        is_window_elapsed
    from progress
),

counted as (
    select
        funnel_name,
        cohort_grain,
        cohort_start,
        count(*) as started_accounts,
        {{ count_if('is_window_elapsed') }} as mature_accounts,
        {{ count_if('is_window_elapsed and is_converted') }} as converted_accounts,
        {{ count_if('not is_window_elapsed') }} as immature_accounts,
        {{ count_if('not is_window_elapsed and is_converted') }} as immature_converted_accounts
    from cohorts
    group by funnel_name, cohort_grain, cohort_start
),

final as (
    select
        funnel_name,
        cohort_grain,
        cohort_start,
        started_accounts,
        mature_accounts,
        converted_accounts,
        immature_accounts,
        immature_converted_accounts,
        {{ safe_rate('converted_accounts', 'mature_accounts') }} as conversion_rate,
        case
            when mature_accounts = 0 then 'no attempt of the cohort has a complete conversion window yet'
        end as conversion_rate_null_reason
    from counted
)

select * from final
