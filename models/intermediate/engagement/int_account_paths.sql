{#- Path insights (seeds/path_insights.csv): per insight and account that
    has its starting point, the first path_steps distinct steps after it (or,
    direction before, before it, nearest first), one column per step. A step
    is an event name; repeats of the same name in a row are one step. The
    starting point: sign-up (events at or after it), the account's first
    event of start_event, or the time its counted attempt reached its
    furthest step in funnel start_event when it did not convert (its
    drop-off); for the last two, events at the starting instant itself are
    neither after nor before it. Events of an instant are ordered by
    event_id. Rebuilt whole each run. -#}

{%- set max_steps = var('path_max_steps') | int %}

with

paths as (
    select * from {{ ref('path_insights') }}
),

accounts as (
    select * from {{ ref('int_accounts') }}
),

events as (
    select * from {{ ref('int_account_events') }}
),

funnel_attempt_steps as (
    select * from {{ ref('int_funnel_attempt_steps') }}
),

funnels as (
    select * from {{ ref('int_funnels') }}
),

starts as (
    select
        paths.path_name,
        accounts.account_id,
        accounts.signed_up_at as started_at
    from paths
    cross join accounts
    where paths.start_type = 'sign_up'
    union all
    select
        paths.path_name,
        events.account_id,
        min(events.occurred_at) as started_at
    from paths
    inner join events
        on paths.start_event = events.event_name
    where paths.start_type = 'event'
    group by paths.path_name, events.account_id
    union all
    select
        paths.path_name,
        funnel_attempt_steps.account_id,
        funnel_attempt_steps.reached_at as started_at
    from paths
    inner join funnel_attempt_steps
        on paths.start_event = funnel_attempt_steps.funnel_name
    inner join funnels
        on funnel_attempt_steps.funnel_name = funnels.funnel_name
    where
        paths.start_type = 'funnel_drop_off'
        and funnel_attempt_steps.step_number = funnel_attempt_steps.furthest_step
        and funnel_attempt_steps.furthest_step < funnels.steps_in_funnel
),

directed as (
    select
        starts.path_name,
        starts.account_id,
        events.event_name,
        paths.direction,
        row_number() over (
            partition by starts.path_name, starts.account_id
            order by events.occurred_at asc, events.event_id asc
        ) as forward_position,
        row_number() over (
            partition by starts.path_name, starts.account_id
            order by events.occurred_at desc, events.event_id desc
        ) as backward_position
    from starts
    inner join paths
        on starts.path_name = paths.path_name
    inner join events
        on starts.account_id = events.account_id
    where
        (paths.start_type = 'sign_up' and events.occurred_at >= starts.started_at)
        or (paths.start_type <> 'sign_up' and paths.direction = 'after' and events.occurred_at > starts.started_at)
        or (paths.start_type <> 'sign_up' and paths.direction = 'before' and events.occurred_at < starts.started_at)
),

positioned as (
    select
        path_name,
        account_id,
        event_name,
        case when direction = 'after' then forward_position else backward_position end as event_position
    from directed
),

changes as (
    select
        positioned.*,
        lag(positioned.event_name) over (
            partition by positioned.path_name, positioned.account_id
            order by positioned.event_position
        ) as previous_event_name
    from positioned
),

steps as (
    select
        path_name,
        account_id,
        event_name,
        row_number() over (partition by path_name, account_id order by event_position) as step_number
    from changes
    where previous_event_name is null or previous_event_name <> event_name
),

final as (
    select
        starts.path_name,
        starts.account_id,
        {% for step in range(1, max_steps + 1) -%}
            max(case when steps.step_number = {{ step }} and paths.path_steps >= {{ step }} then steps.event_name end)
                as step_{{ step }},
        {% endfor -%}
        starts.started_at
    from starts
    inner join paths
        on starts.path_name = paths.path_name
    left join steps
        on
            starts.path_name = steps.path_name
            and starts.account_id = steps.account_id
    group by starts.path_name, starts.account_id, starts.started_at
)

select * from final
