{#- Rule milestone_overdue, on each judged day: a milestone expected by day N
    not reached before the end of day N + threshold (or any later day). The
    first overdue step is named, with how many are overdue. -#}

with

days as (
    select * from {{ ref('int_account_onboarding_days') }}
),

milestones as (
    select * from {{ ref('int_account_milestones') }}
),

rule as (
    select threshold from {{ ref('at_risk_rules') }}
    where rule_name = 'milestone_overdue'
),

overdue as (
    select
        days.account_id,
        days.day_number,
        days.day_ends_at,
        milestones.milestone_name,
        count(*) over (partition by days.account_id, days.day_number) as overdue_milestones,
        row_number() over (
            partition by days.account_id, days.day_number
            order by milestones.step_number
        ) as overdue_rank
    from days
    cross join rule
    inner join milestones
        on days.account_id = milestones.account_id
    where
        days.day_number >= milestones.expected_by_day + rule.threshold
        and (milestones.reached_at is null or milestones.reached_at >= days.day_ends_at)
),

final as (
    select
        account_id,
        day_number,
        day_ends_at,
        'milestone_overdue' as rule_name,
        milestone_name as rule_subject,
        cast(overdue_milestones as integer) as occurrences
    from overdue
    where overdue_rank = 1
)

select * from final
