{#- Engagement in onboarding by sign-up month and segment ('all' for every
    month or segment): sessions per active user, first-session completion
    rate, support touches per account, sign-up abandonment rate and the
    median lag from the first core action to activation. Each rate counts
    only the accounts whose window has passed. -#}
{%- set levels = [['signup_month', 'segment'], ['signup_month'], ['segment'], []] %}

with

engagement as (
    select * from {{ ref('fct_account_engagement') }}
),

rolled as (
    {{ rollup_rows('engagement', ['signup_month', 'segment'], levels,
                   ['account_id', 'sessions_in_onboarding', 'active_users_in_onboarding',
                    'first_session_started_at', 'is_first_session_completed', 'support_touches_in_onboarding',
                    'support_tickets_in_onboarding', 'is_onboarding_mature', 'is_signup_abandoned',
                    'is_abandonment_mature', 'action_to_activation_days']) }}
),

final as (
    select
        signup_month,
        segment,
        count(*) as signed_up_accounts,
        {{ count_if('is_onboarding_mature') }} as onboarding_mature_accounts,
        {{ safe_rate(
            'sum(case when is_onboarding_mature then sessions_in_onboarding else 0 end)',
            'sum(case when is_onboarding_mature then active_users_in_onboarding else 0 end)'
        ) }} as sessions_per_user_in_onboarding,
        {{ count_if('first_session_started_at is not null') }} as accounts_with_a_session,
        {{ safe_rate(count_if('is_first_session_completed'), count_if('first_session_started_at is not null')) }}
            as first_session_completion_rate,
        {{ safe_rate(
            'sum(case when is_onboarding_mature then support_touches_in_onboarding else 0 end)',
            count_if('is_onboarding_mature')
        ) }} as support_touches_per_account,
        {{ safe_rate(count_if('is_onboarding_mature and support_tickets_in_onboarding > 0'),
                     count_if('is_onboarding_mature')) }} as ticket_opening_share,
        {{ count_if('is_abandonment_mature') }} as abandonment_mature_accounts,
        {{ count_if('is_abandonment_mature and is_signup_abandoned') }} as abandoned_accounts,
        {{ safe_rate(count_if('is_abandonment_mature and is_signup_abandoned'), count_if('is_abandonment_mature')) }}
            as signup_abandonment_rate,
        {{ median('action_to_activation_days') }} as median_action_to_activation_days
    from rolled
    group by signup_month, segment
)

select * from final
