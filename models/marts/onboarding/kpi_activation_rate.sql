{#- Activation rate by sign-up week and month, segment, plan and acquisition
    channel: within the segment's own window and within each fixed window.
    Each rate counts only accounts whose window has fully elapsed (mature);
    the others are counted apart, never as failures. Counts add up across
    rows, so any roll-up is exact: sum the counts, then divide. -#}

{%- set fixed_windows = var('fixed_activation_windows_days') %}

with

accounts as (
    select * from {{ ref('fct_account_onboarding') }}
),

final as (
    select
        signup_week,
        signup_month,
        segment,
        plan,
        acquisition_channel,
        count(*) as signed_up_accounts,
        {{ count_if('is_activation_window_mature') }} as mature_accounts,
        {{ count_if('not is_activation_window_mature') }} as immature_accounts,
        {{ count_if('is_activation_window_mature and is_activated_in_window') }} as activated_accounts,
        {{ safe_rate(
            count_if('is_activation_window_mature and is_activated_in_window'),
            count_if('is_activation_window_mature'),
        ) }} as activation_rate,
    {% for days in fixed_windows -%}
        {{ count_if('is_mature_' ~ days ~ '_days') }} as mature_accounts_{{ days }}_days,
        {{ count_if('is_mature_' ~ days ~ '_days and is_activated_within_' ~ days ~ '_days') }}
            as activated_accounts_{{ days }}_days,
            {{ safe_rate(
                count_if('is_mature_' ~ days ~ '_days and is_activated_within_' ~ days ~ '_days'),
                count_if('is_mature_' ~ days ~ '_days'),
            ) }} as activation_rate_{{ days }}_days{{ "," if not loop.last }}
    {% endfor -%}
    from accounts
    group by
        signup_week,
        signup_month,
        segment,
        plan,
        acquisition_channel
)

select * from final
