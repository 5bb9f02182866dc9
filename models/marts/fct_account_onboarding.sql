{#- One row per account: its onboarding as of the data's as-of instant.
    Windows start at sign-up and include their end; a window is mature once
    it has fully elapsed. -#}

{%- set fixed_windows = var('fixed_activation_windows_days') %}

with

accounts as (
    select * from {{ ref('int_accounts') }}
),

milestones as (
    select * from {{ ref('int_account_milestones') }}
),

as_of as (
    select as_of_at from {{ ref('int_as_of') }}
),

progress as (
    select
        account_id,
        count(*) as milestones_configured,
        {{ count_if('is_reached_in_onboarding') }} as milestones_reached_in_onboarding,
        max(reached_at) as last_milestone_at,
        max(case when is_activation then milestone_name end) as activation_milestone,
        max(case when is_activation then reached_at end) as activated_at,
        max(case when is_first_value then milestone_name end) as first_value_milestone,
        max(case when is_first_value then reached_at end) as first_value_at
    from milestones
    group by account_id
),

joined as (
    select
        accounts.*,
        progress.milestones_configured,
        progress.milestones_reached_in_onboarding,
        progress.last_milestone_at,
        progress.activation_milestone,
        progress.activated_at,
        progress.first_value_milestone,
        progress.first_value_at,
        as_of.as_of_at
    from accounts
    cross join as_of
    left join progress
        on accounts.account_id = progress.account_id
),

final as (
    select
        account_id,
        account_name,
        segment,
        is_segment_configured,
        config_segment,
        plan,
        industry,
        company_size,
        acquisition_channel,
        onboarding_variant,
        signed_up_at,
        signup_week,
        signup_month,
        activation_window_days,
        {{ window_end('signed_up_at', 'activation_window_days') }} as activation_window_ends_at,
        activation_milestone,
        activated_at,
        activated_at is not null as is_activated,
        {% for days in fixed_windows -%}
            {{ is_within_window('activated_at', 'signed_up_at', days) }} as is_activated_within_{{ days }}_days,
            {{ is_window_mature('signed_up_at', days, 'as_of_at') }} as is_mature_{{ days }}_days,
        {% endfor -%}
        {{ is_within_window('activated_at', 'signed_up_at', 'activation_window_days') }}
            as is_activated_in_window,
        {{ is_window_mature('signed_up_at', 'activation_window_days', 'as_of_at') }}
            as is_activation_window_mature,
        case
            when not {{ is_window_mature('signed_up_at', 'activation_window_days', 'as_of_at') }} then 'pending'
            when {{ is_within_window('activated_at', 'signed_up_at', 'activation_window_days') }} then 'activated'
            else 'not_activated'
        end as activation_status,
        {{ elapsed_seconds('signed_up_at', 'activated_at') }} as seconds_to_activate,
        round({{ elapsed_seconds('signed_up_at', 'activated_at') }} / 86400, 4) as days_to_activate,
        {{ day_number('signed_up_at', 'activated_at') }} as activation_day_number,
        first_value_milestone,
        first_value_at,
        first_value_at is not null as is_first_value_reached,
        {{ elapsed_seconds('signed_up_at', 'first_value_at') }} as seconds_to_first_value,
        {#- For survival estimates: time to first value, or, while not reached,
            the time observed so far (censored at as_of_at). #}
        {{ elapsed_seconds('signed_up_at', 'coalesce(first_value_at, as_of_at)') }}
            as first_value_observed_seconds,
        onboarding_period_days,
        {{ window_end('signed_up_at', 'onboarding_period_days') }} as onboarding_period_ends_at,
        {{ is_window_mature('signed_up_at', 'onboarding_period_days', 'as_of_at') }}
            as is_onboarding_period_mature,
        coalesce(milestones_configured, 0) as milestones_configured,
        coalesce(milestones_reached_in_onboarding, 0) as milestones_reached_in_onboarding,
        coalesce(
            milestones_configured > 0 and milestones_reached_in_onboarding = milestones_configured, false
        ) as is_onboarding_completed,
        case
            when milestones_configured > 0 and milestones_reached_in_onboarding = milestones_configured
                then last_milestone_at
        end as onboarding_completed_at,
        round(100 * {{ safe_rate('coalesce(milestones_reached_in_onboarding, 0)', 'milestones_configured') }}, 1)
            as activation_progression_score,
        as_of_at
    from joined
)

select * from final
