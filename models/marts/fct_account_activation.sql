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

activation as (
    select
        account_id,
        milestone_name as activation_milestone,
        reached_at as activated_at
    from milestones
    where is_activation
),

first_value as (
    select
        account_id,
        milestone_name as first_value_milestone,
        reached_at as first_value_at
    from milestones
    where is_first_value
),

joined as (
    select
        accounts.*,
        activation.activation_milestone,
        activation.activated_at,
        first_value.first_value_milestone,
        first_value.first_value_at,
        as_of.as_of_at
    from accounts
    cross join as_of
    left join activation
        on accounts.account_id = activation.account_id
    left join first_value
        on accounts.account_id = first_value.account_id
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
        {{ is_within_window('activated_at', 'signed_up_at', 'activation_window_days') }}
            as is_activated_in_window,
        {{ elapsed_seconds('signed_up_at', 'activated_at') }} as seconds_to_activate,
        round({{ elapsed_seconds('signed_up_at', 'activated_at') }} / 86400, 4) as days_to_activate,
        {{ day_number('signed_up_at', 'activated_at') }} as activation_day_number,
        first_value_milestone,
        first_value_at,
        {{ elapsed_seconds('signed_up_at', 'first_value_at') }} as seconds_to_first_value,
        {{ is_window_mature('signed_up_at', 'activation_window_days', 'as_of_at') }}
            as is_activation_window_mature,
        as_of_at
    from joined
)

select * from final
