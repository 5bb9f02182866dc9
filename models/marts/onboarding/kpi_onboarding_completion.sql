{#- Onboarding completion by sign-up month and segment: mature accounts
    (onboarding period elapsed) that reached every milestone of their
    segment within the period; drop-off is the complement. -#}

with

accounts as (
    select * from {{ ref('fct_account_onboarding') }}
),

final as (
    select
        signup_month,
        segment,
        count(*) as signed_up_accounts,
        {{ count_if('is_onboarding_period_mature') }} as mature_accounts,
        {{ count_if('not is_onboarding_period_mature') }} as immature_accounts,
        {{ count_if('is_onboarding_period_mature and is_onboarding_completed') }} as completed_accounts,
        {{ count_if('is_onboarding_period_mature and not is_onboarding_completed') }} as dropped_off_accounts,
        {{ safe_rate(
            count_if('is_onboarding_period_mature and is_onboarding_completed'),
            count_if('is_onboarding_period_mature'),
        ) }} as completion_rate,
        {{ safe_rate(
            count_if('is_onboarding_period_mature and not is_onboarding_completed'),
            count_if('is_onboarding_period_mature'),
        ) }} as drop_off_rate,
        avg(case when is_onboarding_period_mature then activation_progression_score end)
            as mean_progression_score
    from accounts
    group by signup_month, segment
)

select * from final
