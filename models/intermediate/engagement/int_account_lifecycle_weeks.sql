{#- Each account, each complete week since sign-up (week N: the 7 x 24 h
    from N x 7 days after sign-up), in one lifecycle state, the first rule
    that holds in this order (thresholds in seeds/lifecycle_settings.csv):
    new (week 0); churned (inactive for churned_after_inactive_weeks weeks in
    a row, this one included); dormant (inactive for dormant_after_inactive_weeks
    in a row); resurrected (active after at least dormant_after_inactive_weeks
    inactive weeks); onboarding (not activated by the week's end, the week
    starting inside the onboarding period); engaged (active on at least
    engaged_min_active_days days); activated (active, activated by the
    week's end); at_risk (the rest: inactive for fewer weeks than dormant, or
    active but not activated after the onboarding period). A week is active
    when the account has an event in it other than CSM outreach. Weeks not
    complete at the as-of instant have no state yet. Rebuilt whole each run. -#}

{%- set weeks = var('lifecycle_weeks') | int %}

with

accounts as (
    select * from {{ ref('int_accounts') }}
),

activation as (
    select * from {{ ref('int_account_activation') }}
),

events as (
    select * from {{ ref('int_account_events') }}
),

as_of as (
    select * from {{ ref('int_as_of') }}
),

settings as (
    select * from {{ ref('lifecycle_settings') }}
),

thresholds as (
    select
        max(case when setting = 'engaged_min_active_days' then value end) as engaged_min_active_days,
        max(case when setting = 'dormant_after_inactive_weeks' then value end) as dormant_after_inactive_weeks,
        max(case when setting = 'churned_after_inactive_weeks' then value end) as churned_after_inactive_weeks
    from settings
),

week_numbers as (
    {{ integer_rows(range(0, weeks), 'week_number') }}
),

account_weeks as (
    select
        accounts.account_id,
        accounts.signed_up_at,
        accounts.onboarding_period_days,
        week_numbers.week_number,
        {{ dbt.dateadd('day', '7 * week_numbers.week_number', 'accounts.signed_up_at') }} as week_start,
        {{ dbt.dateadd('day', '7 * (week_numbers.week_number + 1)', 'accounts.signed_up_at') }} as week_end
    from accounts
    cross join week_numbers
    cross join as_of
    where {{ is_period_complete(dbt.dateadd('day', '7 * (week_numbers.week_number + 1)', 'accounts.signed_up_at'), 'as_of.as_of_at') }}
),

active_days as (
    select
        account_id,
        cast(floor(day_number / 7) as integer) as week_number,
        count(distinct day_number) as active_days
    from events
    where event_category <> 'outreach'
    group by account_id, cast(floor(day_number / 7) as integer)
),

weeks_with_activity as (
    select
        account_weeks.*,
        coalesce(active_days.active_days, 0) as active_days,
        coalesce(active_days.active_days, 0) > 0 as is_active,
        coalesce(activation.activated_at < account_weeks.week_end, false) as is_activated_by_week_end
    from account_weeks
    left join active_days
        on
            account_weeks.account_id = active_days.account_id
            and account_weeks.week_number = active_days.week_number
    left join activation
        on account_weeks.account_id = activation.account_id
),

streaks as (
    select
        weeks_with_activity.*,
        -- The last active week before this one (week 0, new, counts as active).
        coalesce(
            max(case when weeks_with_activity.is_active then weeks_with_activity.week_number end) over (
                partition by weeks_with_activity.account_id
                order by weeks_with_activity.week_number
                rows between unbounded preceding and 1 preceding
            ),
            0
        ) as previous_active_week
    from weeks_with_activity
),

final as (
    select
        streaks.account_id,
        streaks.week_number,
        streaks.week_start,
        streaks.week_end,
        streaks.active_days,
        streaks.is_active,
        streaks.is_activated_by_week_end,
        case
            when streaks.is_active then 0
            else streaks.week_number - streaks.previous_active_week
        end as inactive_weeks_in_a_row,
        case
            when streaks.week_number = 0 then 'new'
            when
                not streaks.is_active
                and streaks.week_number - streaks.previous_active_week >= thresholds.churned_after_inactive_weeks
                then 'churned'
            when
                not streaks.is_active
                and streaks.week_number - streaks.previous_active_week >= thresholds.dormant_after_inactive_weeks
                then 'dormant'
            when
                streaks.is_active
                and streaks.week_number - streaks.previous_active_week - 1 >= thresholds.dormant_after_inactive_weeks
                then 'resurrected'
            when
                not streaks.is_activated_by_week_end
                and streaks.week_start < {{ dbt.dateadd('day', 'streaks.onboarding_period_days', 'streaks.signed_up_at') }}
                then 'onboarding'
            when streaks.active_days >= thresholds.engaged_min_active_days then 'engaged'
            when streaks.is_active and streaks.is_activated_by_week_end then 'activated'
            else 'at_risk'
        end as lifecycle_state
    from streaks
    cross join thresholds
)

select * from final
