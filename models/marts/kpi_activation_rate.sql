{#- Activation rate by sign-up week and segment. Accounts whose activation
    window has not fully elapsed are immature: counted apart, never in the
    rate's denominator (neither as failures nor, if already activated, as
    successes). -#}

with

accounts as (
    select * from {{ ref('fct_account_onboarding') }}
),

final as (
    select
        signup_week,
        segment,
        count(*) as signed_up_accounts,
        {{ count_if('is_activation_window_mature') }} as mature_accounts,
        {{ count_if('not is_activation_window_mature') }} as immature_accounts,
        {{ count_if('is_activation_window_mature and is_activated_in_window') }} as activated_accounts,
        {{ safe_rate(
            count_if('is_activation_window_mature and is_activated_in_window'),
            count_if('is_activation_window_mature'),
        ) }} as activation_rate
    from accounts
    group by signup_week, segment
)

select * from final
