{#- What the propensity model (orchestration/predict/) sees: one row per
    account and complete day of its onboarding period, the signals known at
    the end of that day, and the two outcomes it learns, each with the
    instant it became known (the leakage rule: a model trained at instant T
    may learn only from outcomes known by T). -#}

with

activity as (
    select * from {{ ref('int_account_day_activity') }}
),

accounts as (
    select * from {{ ref('int_accounts') }}
),

retention as (
    select * from {{ ref('int_account_retention_days') }}
),

as_of as (
    select as_of_at from {{ ref('int_as_of') }}
),

activation as (
    select * from {{ ref('int_account_activation') }}
),

{#- Without any subscription in the warehouse, retention is not known for
    anybody (absent, not zero). #}

subscription_data as (
    select {{ count_if('is_subscribed') }} > 0 as has_subscriptions
    from retention
),

day_90 as (
    select
        account_id,
        is_subscribed,
        day_ends_at
    from retention
    where retention_day = 90
),

final as (
    select
        activity.account_id,
        accounts.segment,
        accounts.config_segment,
        accounts.plan,
        accounts.acquisition_channel,
        accounts.signed_up_at,
        accounts.signup_month,
        activity.day_number,
        activity.day_ends_at,
        accounts.activation_window_days,
        cast(accounts.activation_window_days - activity.day_number - 1 as integer) as days_left_in_window,
        activity.is_activated,
        activity.logins_to_date,
        activity.active_days_to_date,
        activity.active_days_last_7,
        activity.days_since_last_activity,
        activity.max_daily_active_users,
        activity.core_actions_to_date,
        activity.core_action_types_to_date,
        activity.failures_to_date,
        activity.help_views_to_date,
        activity.support_tickets_to_date,
        activity.outreach_touches_to_date,
        activity.friction_events_last_7,
        activity.milestones_reached,
        {{ safe_rate('activity.milestones_reached', 'activity.milestones_total') }} as milestone_share,
        activation.activation_window_ends_at as activation_label_known_at,
        case when activation.is_activation_window_mature then activation.is_activated_in_window end
            as is_activated_in_window,
        day_90.day_ends_at as retention_label_known_at,
        case
            when subscription_data.has_subscriptions and day_90.day_ends_at <= as_of.as_of_at
                then day_90.is_subscribed
        end as is_retained_day_90
    from activity
    inner join accounts
        on activity.account_id = accounts.account_id
    cross join as_of
    cross join subscription_data
    left join activation
        on activity.account_id = activation.account_id
    left join day_90
        on activity.account_id = day_90.account_id
)

select * from final
