{#- One row per account: its onboarding as of the data's as-of instant: its
    activation (int_account_activation), the fixed 14- and 30-day windows,
    time to first value, completion of the onboarding period. Windows start
    at sign-up and include their end; a window is mature once it has fully
    elapsed. -#}

{%- set fixed_windows = var('fixed_activation_windows_days') %}

with

accounts as (
    select * from {{ ref('int_accounts') }}
),

activation as (
    select * from {{ ref('int_account_activation') }}
),

as_of as (
    select as_of_at from {{ ref('int_as_of') }}
),

joined as (
    select
        accounts.*,
        activation.activation_window_ends_at,
        activation.activation_milestone,
        activation.activated_at,
        activation.is_activated,
        activation.is_activated_in_window,
        activation.is_activation_window_mature,
        activation.activation_status,
        activation.first_value_milestone,
        activation.first_value_at,
        activation.is_first_value_reached,
        activation.milestones_configured,
        activation.milestones_reached_in_onboarding,
        activation.last_milestone_at,
        as_of.as_of_at
    from accounts
    cross join as_of
    inner join activation
        on accounts.account_id = activation.account_id
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
        activation_window_ends_at,
        activation_milestone,
        activated_at,
        is_activated,
        {% for days in fixed_windows -%}
            {{ is_within_window('activated_at', 'signed_up_at', days) }} as is_activated_within_{{ days }}_days,
            {{ is_window_mature('signed_up_at', days, 'as_of_at') }} as is_mature_{{ days }}_days,
        {% endfor -%}
        is_activated_in_window,
        is_activation_window_mature,
        activation_status,
        {{ elapsed_seconds('signed_up_at', 'activated_at') }} as seconds_to_activate,
        round({{ elapsed_seconds('signed_up_at', 'activated_at') }} / 86400, 4) as days_to_activate,
        {{ day_number('signed_up_at', 'activated_at') }} as activation_day_number,
        first_value_milestone,
        first_value_at,
        is_first_value_reached,
        {{ elapsed_seconds('signed_up_at', 'first_value_at') }} as seconds_to_first_value,
        {#- For survival estimates: time to first value, or, while not reached,
            the time observed so far (censored at as_of_at). #}
        {{ elapsed_seconds('signed_up_at', 'coalesce(first_value_at, as_of_at)') }}
            as first_value_observed_seconds,
        onboarding_period_days,
        {{ window_end('signed_up_at', 'onboarding_period_days') }} as onboarding_period_ends_at,
        {{ is_window_mature('signed_up_at', 'onboarding_period_days', 'as_of_at') }}
            as is_onboarding_period_mature,
        milestones_configured,
        milestones_reached_in_onboarding,
        milestones_configured > 0 and milestones_reached_in_onboarding = milestones_configured
            as is_onboarding_completed,
        case
            when milestones_configured > 0 and milestones_reached_in_onboarding = milestones_configured
                then last_milestone_at
        end as onboarding_completed_at,
        round(100 * {{ safe_rate('milestones_reached_in_onboarding', 'milestones_configured') }}, 1)
            as activation_progression_score,
        as_of_at
    from joined
)

select * from final
