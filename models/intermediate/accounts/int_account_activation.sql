{#- One row per account: when it reached its segment's activation and
    first-value milestones, its activation window and whether it activated
    within it, and its activation status at the as-of instant. The one place
    an account's activation is computed: every model that needs it reads it
    here. Windows start at sign-up and include their end; a window is mature
    once it has fully elapsed. -#}

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
        accounts.account_id,
        accounts.signed_up_at,
        accounts.activation_window_days,
        progress.activation_milestone,
        progress.activated_at,
        progress.first_value_milestone,
        progress.first_value_at,
        coalesce(progress.milestones_configured, 0) as milestones_configured,
        coalesce(progress.milestones_reached_in_onboarding, 0) as milestones_reached_in_onboarding,
        progress.last_milestone_at,
        as_of.as_of_at
    from accounts
    cross join as_of
    left join progress
        on accounts.account_id = progress.account_id
),

final as (
    select
        account_id,
        signed_up_at,
        activation_window_days,
        {{ window_end('signed_up_at', 'activation_window_days') }} as activation_window_ends_at,
        activation_milestone,
        activated_at,
        activated_at is not null as is_activated,
        {{ is_within_window('activated_at', 'signed_up_at', 'activation_window_days') }}
            as is_activated_in_window,
        {{ is_window_mature('signed_up_at', 'activation_window_days', 'as_of_at') }}
            as is_activation_window_mature,
        case
            when not {{ is_window_mature('signed_up_at', 'activation_window_days', 'as_of_at') }} then 'pending'
            when {{ is_within_window('activated_at', 'signed_up_at', 'activation_window_days') }} then 'activated'
            else 'not_activated'
        end as activation_status,
        first_value_milestone,
        first_value_at,
        first_value_at is not null as is_first_value_reached,
        milestones_configured,
        milestones_reached_in_onboarding,
        last_milestone_at
    from joined
)

select * from final
