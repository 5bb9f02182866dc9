{#- Feedback by sign-up month and segment ('all' for every month or segment):
    onboarding satisfaction (average, and the share of accounts that
    answered), CSAT after activation (average and share satisfied, 4 or 5 of
    5) and NPS (% promoters 9-10 minus % detractors 0-6). -#}
{%- set levels = [['signup_month', 'segment'], ['signup_month'], ['segment'], []] %}

with

accounts as (
    select * from {{ ref('fct_account_onboarding') }}
),

responses as (
    select * from {{ ref('fct_survey_responses') }}
),

accounts_rolled as (
    {{ rollup_rows('accounts', ['signup_month', 'segment'], levels, ['account_id']) }}
),

responses_rolled as (
    {{ rollup_rows('responses', ['signup_month', 'segment'], levels,
                   ['account_id', 'survey_type', 'score', 'is_after_activation']) }}
),

account_counts as (
    select
        signup_month,
        segment,
        count(*) as signed_up_accounts
    from accounts_rolled
    group by signup_month, segment
),

feedback as (
    select
        signup_month,
        segment,
        count(distinct case when survey_type = 'onboarding_satisfaction' then account_id end)
            as onboarding_survey_accounts,
        avg(case when survey_type = 'onboarding_satisfaction' then score end) as onboarding_satisfaction_average,
        {{ count_if("survey_type = 'csat' and is_after_activation") }} as csat_responses_after_activation,
        avg(case when survey_type = 'csat' and is_after_activation then score end) as csat_average_after_activation,
        {{ count_if("survey_type = 'csat' and is_after_activation and score >= 4") }} as csat_satisfied_responses,
        {{ count_if("survey_type = 'nps'") }} as nps_responses,
        {{ count_if("survey_type = 'nps' and score >= 9") }} as nps_promoters,
        {{ count_if("survey_type = 'nps' and score <= 6") }} as nps_detractors
    from responses_rolled
    group by signup_month, segment
),

final as (
    select
        account_counts.signup_month,
        account_counts.segment,
        account_counts.signed_up_accounts,
        coalesce(feedback.onboarding_survey_accounts, 0) as onboarding_survey_accounts,
        {{ safe_rate('coalesce(feedback.onboarding_survey_accounts, 0)', 'account_counts.signed_up_accounts') }}
            as onboarding_response_rate,
        feedback.onboarding_satisfaction_average,
        coalesce(feedback.csat_responses_after_activation, 0) as csat_responses_after_activation,
        feedback.csat_average_after_activation,
        {{ safe_rate('feedback.csat_satisfied_responses', 'feedback.csat_responses_after_activation') }}
            as csat_satisfied_share,
        coalesce(feedback.nps_responses, 0) as nps_responses,
        cast(100 * (feedback.nps_promoters - feedback.nps_detractors) as double)
        / nullif(feedback.nps_responses, 0) as nps
    from account_counts
    left join feedback
        on
            account_counts.signup_month = feedback.signup_month
            and account_counts.segment = feedback.segment
)

select * from final
