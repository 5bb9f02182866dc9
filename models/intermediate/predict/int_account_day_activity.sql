{#- One row per account and complete day of its onboarding period (day N =
    the 24 hours from N x 24 h after sign-up, days 0 .. onboarding_period_days
    - 1, ended by the as-of instant), before or after activation: what the
    account had done by the end of the day, from the events that occurred
    before it. The building block of the propensity features and of the
    health score; a past day's row never changes as days go by. -#}

with

accounts as (
    select * from {{ ref('int_accounts') }}
),

events as (
    select * from {{ ref('int_account_events') }}
),

milestones as (
    select * from {{ ref('int_account_milestones') }}
),

activation as (
    select * from {{ ref('int_account_activation') }}
),

as_of as (
    select as_of_at from {{ ref('int_as_of') }}
),

day_numbers as (
    {{ dbt.generate_series(var('onboarding_max_days')) }}
),

account_days as (
    select
        accounts.account_id,
        cast(day_numbers.generated_number - 1 as integer) as day_number,
        {{ dbt.dateadd('day', 'day_numbers.generated_number', 'accounts.signed_up_at') }} as day_ends_at
    from accounts
    cross join as_of
    inner join day_numbers
        on accounts.onboarding_period_days >= day_numbers.generated_number
    where {{ dbt.dateadd('day', 'day_numbers.generated_number', 'accounts.signed_up_at') }} <= as_of.as_of_at
),

{#- Events of the onboarding days, counted per account and day by what they
    are (taxonomy category). Outreach and unknown events are not the
    account's own activity. #}

daily as (
    select
        account_id,
        day_number,
        {{ count_if("event_category in ('core_action', 'login', 'navigation', 'help_view', 'failure', 'support')") }}
            as active_events,
        {{ count_if("event_category = 'login'") }} as logins,
        {{ count_if("event_category = 'core_action'") }} as core_actions,
        {{ count_if("event_category = 'failure'") }} as failures,
        {{ count_if("event_category = 'help_view'") }} as help_views,
        {{ count_if("event_category = 'support'") }} as support_tickets,
        {{ count_if("event_category = 'outreach'") }} as outreach_touches,
        count(distinct case when event_category <> 'outreach' then user_id end) as active_users
    from events
    group by account_id, day_number
),

{#- The day each core action was first used: breadth counts them once. #}

first_uses as (
    select
        account_id,
        min(day_number) as day_number
    from events
    where event_category = 'core_action'
    group by account_id, event_name
),

new_core_actions as (
    select
        account_id,
        day_number,
        count(*) as new_core_action_types
    from first_uses
    group by account_id, day_number
),

reached as (
    select
        account_days.account_id,
        account_days.day_number,
        {{ count_if('milestones.reached_at < account_days.day_ends_at') }} as milestones_reached,
        count(*) as milestones_total
    from account_days
    inner join milestones
        on account_days.account_id = milestones.account_id
    group by account_days.account_id, account_days.day_number
),

joined as (
    select
        account_days.account_id,
        account_days.day_number,
        account_days.day_ends_at,
        coalesce(daily.active_events, 0) as active_events,
        coalesce(daily.logins, 0) as logins,
        coalesce(daily.core_actions, 0) as core_actions,
        coalesce(daily.failures, 0) as failures,
        coalesce(daily.help_views, 0) as help_views,
        coalesce(daily.support_tickets, 0) as support_tickets,
        coalesce(daily.outreach_touches, 0) as outreach_touches,
        coalesce(daily.active_users, 0) as active_users,
        coalesce(new_core_actions.new_core_action_types, 0) as new_core_action_types,
        case when coalesce(daily.active_events, 0) > 0 then account_days.day_number end as active_day,
        coalesce(reached.milestones_reached, 0) as milestones_reached,
        coalesce(reached.milestones_total, 0) as milestones_total,
        -- Activation as int_account_activation states it (reached by the end of the day).
        coalesce(activation.activated_at < account_days.day_ends_at, false) as is_activated
    from account_days
    left join daily
        on account_days.account_id = daily.account_id and account_days.day_number = daily.day_number
    left join new_core_actions
        on
            account_days.account_id = new_core_actions.account_id
            and account_days.day_number = new_core_actions.day_number
    left join reached
        on account_days.account_id = reached.account_id and account_days.day_number = reached.day_number
    left join activation
        on account_days.account_id = activation.account_id
),

final as (
    select
        account_id,
        day_number,
        day_ends_at,
        cast(sum(logins) over (
            partition by account_id order by day_number rows between unbounded preceding and current row
        ) as integer) as logins_to_date,
        cast(sum(core_actions) over (
            partition by account_id order by day_number rows between unbounded preceding and current row
        ) as integer) as core_actions_to_date,
        cast(sum(new_core_action_types) over (
            partition by account_id order by day_number rows between unbounded preceding and current row
        ) as integer) as core_action_types_to_date,
        cast(sum(failures) over (
            partition by account_id order by day_number rows between unbounded preceding and current row
        ) as integer) as failures_to_date,
        cast(sum(help_views) over (
            partition by account_id order by day_number rows between unbounded preceding and current row
        ) as integer) as help_views_to_date,
        cast(sum(support_tickets) over (
            partition by account_id order by day_number rows between unbounded preceding and current row
        ) as integer) as support_tickets_to_date,
        cast(sum(outreach_touches) over (
            partition by account_id order by day_number rows between unbounded preceding and current row
        ) as integer) as outreach_touches_to_date,
        cast(sum(case when active_events > 0 then 1 else 0 end) over (
            partition by account_id order by day_number rows between unbounded preceding and current row
        ) as integer) as active_days_to_date,
        cast(sum(case when active_events > 0 then 1 else 0 end) over (
            partition by account_id order by day_number rows between 6 preceding and current row
        ) as integer) as active_days_last_7,
        cast(sum(failures + support_tickets) over (
            partition by account_id order by day_number rows between 6 preceding and current row
        ) as integer) as friction_events_last_7,
        cast(max(active_users) over (
            partition by account_id order by day_number rows between unbounded preceding and current row
        ) as integer) as max_daily_active_users,
        cast(day_number - max(active_day) over (
            partition by account_id order by day_number rows between unbounded preceding and current row
        ) as integer) as days_since_last_activity,
        cast(milestones_reached as integer) as milestones_reached,
        cast(milestones_total as integer) as milestones_total,
        is_activated
    from joined
)

select * from final
