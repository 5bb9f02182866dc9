{#- Early feature adoption per segment ('all' for every segment) and feature:
    among accounts whose first 30 days have passed, the share that used the
    feature within them; the features ranked by that rate, and the adoption
    velocity of each (days from sign-up to first use among early adopters:
    median and p75), flagged for the top 3. -#}
{%- set levels = [['segment'], []] %}

with

adoption as (
    select * from {{ ref('fct_account_feature_adoption') }}
    where is_adoption_window_mature
),

rolled as (
    {{ rollup_rows('adoption', ['segment'], levels,
                   ['account_id', 'feature_name', 'is_adopted_early', 'days_to_first_use']) }}
),

rates as (
    select
        segment,
        feature_name,
        count(*) as mature_accounts,
        {{ count_if('is_adopted_early') }} as adopted_accounts,
        {{ safe_rate(count_if('is_adopted_early'), 'count(*)') }} as adoption_rate,
        {{ median('case when is_adopted_early then days_to_first_use end') }} as median_days_to_first_use,
        {{ percentile_cont('case when is_adopted_early then days_to_first_use end', 0.75) }}
            as p75_days_to_first_use
    from rolled
    group by segment, feature_name
),

ranked as (
    select
        rates.*,
        row_number() over (
            partition by rates.segment
            order by rates.adoption_rate desc nulls last, rates.feature_name asc
        ) as adoption_rank
    from rates
),

final as (
    select
        segment,
        feature_name,
        mature_accounts,
        adopted_accounts,
        adoption_rate,
        adoption_rank,
        adoption_rank <= 3 as is_top_3,
        median_days_to_first_use,
        p75_days_to_first_use
    from ranked
)

select * from final
