{#- One row per account and milestone of its segment: when it was reached,
    whether within the onboarding period and by the expected day. -#}

with

accounts as (
    select * from {{ ref('int_accounts') }}
),

milestones as (
    select * from {{ ref('int_account_milestones') }}
),

final as (
    select
        milestones.account_id,
        accounts.segment,
        milestones.config_segment,
        accounts.signed_up_at,
        milestones.step_number,
        milestones.milestone_name,
        milestones.expected_by_day,
        milestones.is_activation,
        milestones.is_first_value,
        milestones.reached_at,
        milestones.reached_by_event_id,
        milestones.is_reached,
        milestones.seconds_from_signup,
        milestones.reached_day_number,
        milestones.is_reached_in_onboarding,
        milestones.is_reached_on_time
    from milestones
    inner join accounts
        on milestones.account_id = accounts.account_id
)

select * from final
