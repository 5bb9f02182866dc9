{#- One row per account: engagement in its onboarding period (sessions,
    users, support touches), whether its first session completed its first
    milestone, sign-up abandonment, and the lag from its first core action to
    activation. Definitions in the yml. -#}

with

accounts as (
    select * from {{ ref('int_accounts') }}
),

sessions as (
    select * from {{ ref('int_user_sessions') }}
),

events as (
    select * from {{ ref('int_account_events') }}
),

milestones as (
    select * from {{ ref('int_account_milestones') }}
),

activation as (
    select * from {{ ref('int_account_activation') }}
),

as_of as (
    select as_of_at from {{ ref('int_as_of') }}
),

onboarding_sessions as (
    select
        sessions.account_id,
        count(*) as sessions_in_onboarding,
        count(distinct sessions.user_id) as active_users_in_onboarding
    from sessions
    inner join accounts
        on sessions.account_id = accounts.account_id
    where {{ is_within_window('sessions.session_started_at', 'accounts.signed_up_at', 'accounts.onboarding_period_days') }}
    group by sessions.account_id
),

first_sessions as (
    select
        account_id,
        session_started_at as first_session_started_at,
        session_ended_at as first_session_ended_at
    from (
        select
            sessions.*,
            row_number() over (
                partition by sessions.account_id
                order by sessions.session_started_at, sessions.user_id, sessions.session_number
            ) as account_session_number
        from sessions
    ) as ranked
    where account_session_number = 1
),

touches as (
    select
        events.account_id,
        {{ count_if("events.event_category = 'support' and " ~ is_within_window(
            'events.occurred_at', 'accounts.signed_up_at', 'accounts.onboarding_period_days')) }}
            as support_tickets_in_onboarding,
        {{ count_if("events.event_category = 'outreach' and " ~ is_within_window(
            'events.occurred_at', 'accounts.signed_up_at', 'accounts.onboarding_period_days')) }}
            as csm_outreach_in_onboarding,
        min(case when events.event_category = 'core_action' then events.occurred_at end) as first_core_action_at,
        min(case when events.event_category != 'outreach' then events.occurred_at end) as first_activity_at
    from events
    inner join accounts
        on events.account_id = accounts.account_id
    group by events.account_id
),

key_milestones as (
    select
        milestones.account_id,
        max(case when milestones.step_number = 1 then milestones.reached_at end) as first_milestone_at,
        max(activation.activated_at) as activated_at
    from milestones
    inner join activation
        on milestones.account_id = activation.account_id
    group by milestones.account_id
),

final as (
    select
        accounts.account_id,
        accounts.segment,
        accounts.signup_month,
        accounts.signed_up_at,
        coalesce(onboarding_sessions.sessions_in_onboarding, 0) as sessions_in_onboarding,
        coalesce(onboarding_sessions.active_users_in_onboarding, 0) as active_users_in_onboarding,
        {{ safe_rate('onboarding_sessions.sessions_in_onboarding', 'onboarding_sessions.active_users_in_onboarding') }}
            as sessions_per_user_in_onboarding,
        first_sessions.first_session_started_at,
        first_sessions.first_session_ended_at,
        coalesce(
            key_milestones.first_milestone_at >= first_sessions.first_session_started_at
            and key_milestones.first_milestone_at <= first_sessions.first_session_ended_at,
            false
        ) as is_first_session_completed,
        coalesce(touches.support_tickets_in_onboarding, 0) as support_tickets_in_onboarding,
        coalesce(touches.csm_outreach_in_onboarding, 0) as csm_outreach_in_onboarding,
        coalesce(touches.support_tickets_in_onboarding, 0) + coalesce(touches.csm_outreach_in_onboarding, 0)
            as support_touches_in_onboarding,
        {{ is_window_mature('accounts.signed_up_at', 'accounts.onboarding_period_days', 'as_of.as_of_at') }}
            as is_onboarding_mature,
        touches.first_activity_at,
        not {{ is_within_window('touches.first_activity_at', 'accounts.signed_up_at', var('signup_abandonment_days')) }}
            as is_signup_abandoned,
        {{ is_window_mature('accounts.signed_up_at', var('signup_abandonment_days'), 'as_of.as_of_at') }}
            as is_abandonment_mature,
        touches.first_core_action_at,
        key_milestones.activated_at,
        {{ elapsed_seconds('touches.first_core_action_at', 'key_milestones.activated_at') }} / 86400.0
            as action_to_activation_days
    from accounts
    cross join as_of
    left join onboarding_sessions
        on accounts.account_id = onboarding_sessions.account_id
    left join first_sessions
        on accounts.account_id = first_sessions.account_id
    left join touches
        on accounts.account_id = touches.account_id
    left join key_milestones
        on accounts.account_id = key_milestones.account_id
)

select * from final
