{#- Sessions: a user's events (from the account's sign-up on) split wherever
    more than var('session_inactivity_minutes') (30) minutes pass without an
    event; an event exactly 30 minutes after the previous one continues the
    session. Events without a user (CSM outreach, system events) belong to no
    session. One row per account, user and session. -#}

with

events as (
    select
        account_id,
        user_id,
        event_id,
        occurred_at,
        signed_up_at
    from {{ ref('int_account_events') }}
    where user_id is not null
),

gaps as (
    select
        events.*,
        case
            when
                lag(events.occurred_at) over (
                    partition by events.account_id, events.user_id
                    order by events.occurred_at, events.event_id
                ) is null
                then 1
            when
                {{ elapsed_seconds(
                    'lag(events.occurred_at) over (partition by events.account_id, events.user_id '
                    ~ 'order by events.occurred_at, events.event_id)',
                    'events.occurred_at'
                ) }} > {{ var('session_inactivity_minutes') }} * 60
                then 1
            else 0
        end as is_session_start
    from events
),

numbered as (
    select
        gaps.*,
        sum(gaps.is_session_start) over (
            partition by gaps.account_id, gaps.user_id
            order by gaps.occurred_at, gaps.event_id
            rows between unbounded preceding and current row
        ) as session_number
    from gaps
),

final as (
    select
        account_id,
        user_id,
        cast(session_number as integer) as session_number,
        min(occurred_at) as session_started_at,
        max(occurred_at) as session_ended_at,
        count(*) as events,
        min(signed_up_at) as signed_up_at
    from numbered
    group by account_id, user_id, session_number
)

select * from final
