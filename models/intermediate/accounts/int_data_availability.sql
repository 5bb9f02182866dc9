{#- Which optional landing tables hold usable rows, and the reason stated
    where a metric that needs one is not computed: absent is not zero. One
    row. -#}

with

subscriptions as (
    select * from {{ ref('stg_subscriptions') }}
),

surveys as (
    select * from {{ ref('stg_surveys') }}
),

subscription_counts as (
    select count(*) as subscription_rows from subscriptions
),

survey_counts as (
    select count(*) as survey_rows from surveys
),

counts as (
    select
        subscription_counts.subscription_rows,
        survey_counts.survey_rows
    from subscription_counts
    cross join survey_counts
),

final as (
    select
        subscription_rows > 0 as has_subscription_data,
        survey_rows > 0 as has_survey_data,
        case
            when subscription_rows = 0
                then 'no subscription data: revenue and logo retention not computed'
        end as subscription_missing_reason,
        case
            when survey_rows = 0
                then 'no survey data: onboarding satisfaction and CSAT not computed'
        end as survey_missing_reason
    from counts
)

select * from final
