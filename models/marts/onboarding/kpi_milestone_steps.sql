{#- Milestone completion by step, per config segment, over the accounts
    whose onboarding period has elapsed: how many reached each step within
    the period, overall and step-to-step conversion, the median time from
    the previous step, and where accounts stall (their first step not
    reached). -#}

with

milestones as (
    select * from {{ ref('fct_account_milestones') }}
),

accounts as (
    select * from {{ ref('fct_account_onboarding') }}
),

mature_milestones as (
    select
        milestones.account_id,
        milestones.config_segment,
        milestones.step_number,
        milestones.milestone_name,
        milestones.is_reached_in_onboarding,
        case when milestones.is_reached_in_onboarding then milestones.reached_at end as reached_at,
        accounts.signed_up_at
    from milestones
    inner join accounts
        on milestones.account_id = accounts.account_id
    where accounts.is_onboarding_period_mature
),

with_previous as (
    select
        mature_milestones.*,
        coalesce(lag(mature_milestones.is_reached_in_onboarding) over account_steps, true) as is_previous_reached,
        coalesce(lag(mature_milestones.reached_at) over account_steps, mature_milestones.signed_up_at) as previous_reached_at,
        min(case when not mature_milestones.is_reached_in_onboarding then mature_milestones.step_number end) over (
            partition by mature_milestones.account_id
        ) as stall_step_number
    from mature_milestones
    window account_steps as (partition by account_id order by step_number)
),

steps as (
    select
        config_segment,
        step_number,
        milestone_name,
        count(*) as mature_accounts,
        {{ count_if('is_reached_in_onboarding') }} as reached_accounts,
        {{ count_if('is_previous_reached') }} as previous_step_accounts,
        {{ count_if('is_previous_reached and is_reached_in_onboarding') }} as reached_after_previous_accounts,
        {{ median(
            "case when is_previous_reached and reached_at >= previous_reached_at then "
            ~ elapsed_seconds('previous_reached_at', 'reached_at') ~ " end"
        ) }} as median_seconds_from_previous,
        {{ count_if('stall_step_number = step_number') }} as stalled_accounts
    from with_previous
    group by config_segment, step_number, milestone_name
),

ranked as (
    select
        steps.*,
        row_number() over (
            partition by steps.config_segment order by steps.stalled_accounts desc, steps.step_number asc
        ) as stall_rank
    from steps
),

final as (
    select
        config_segment,
        step_number,
        milestone_name,
        mature_accounts,
        reached_accounts,
        {{ safe_rate('reached_accounts', 'mature_accounts') }} as overall_conversion,
        previous_step_accounts,
        reached_after_previous_accounts,
        {{ safe_rate('reached_after_previous_accounts', 'previous_step_accounts') }} as step_conversion,
        median_seconds_from_previous,
        median_seconds_from_previous / 86400 as median_days_from_previous,
        stalled_accounts,
        stall_rank = 1 and stalled_accounts > 0 as is_top_stall_step
    from ranked
)

select * from final
