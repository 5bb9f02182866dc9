{#- The configured funnels, evaluated for every account in one sweep over its
    events per step (no join between steps). Level j holds, at each event
    that can fill step j, the start of the latest attempt that reaches step j
    with that event; the latest start dominates (its window ends last), so
    keeping it alone is exact. Events are ordered by time, then by the first
    step their name can fill (so equal timestamps can fill consecutive steps),
    then by event_id; an event may only build on an earlier event in that
    order, so it fills at most one step of an attempt. The number of levels
    is var('funnel_max_steps'). -#}

{#- Then, per funnel and account that did the first step, the counted
    attempt: of the attempts that reach the furthest step, the one that
    started last; with the time it reached each of its steps. -#}


{#- Account-level incremental: a run recomputes only the accounts whose
    funnel events or account changed (macros/incremental/accounts.sql). -#}
-- depends_on: {{ ref('int_accounts') }}
{{
    config(
        materialized=account_level_materialization(),
        incremental_strategy='replace_accounts',
        recompute_events_from='funnel_steps',
        rows_for_every_account=false,
        on_schema_change='fail',
    )
}}

{%- set max_steps = var('funnel_max_steps') | int %}

with

funnels as (
    select * from {{ ref('int_funnels') }}
),

funnel_steps as (
    select * from {{ ref('funnel_steps') }}
),

account_signatures as (
    {{ account_signatures() }}
),

events as (
    select
        event_id,
        account_id,
        event_name,
        occurred_at,
        signed_up_at,
        config_segment,
        -- Ties on the timestamp are broken by event_id: ranked once here, so that
        -- the step passes below sort on integers only.
        row_number() over (partition by account_id order by occurred_at asc, event_id asc) as event_rank
    from {{ ref('int_account_events') }}
    where
        event_name in (select funnel_steps.event_name from funnel_steps)
        and {{ is_account_to_recompute('account_id') }}
),

event_accounts as (
    select distinct
        account_id,
        signed_up_at,
        config_segment
    from events
),

first_steps as (
    select
        funnel_name,
        event_name,
        min(step_number) as first_step_number
    from funnel_steps
    group by funnel_name, event_name
),

funnel_events as (
    select
        funnel_steps.funnel_name,
        events.account_id,
        events.event_id,
        events.event_rank,
        events.occurred_at,
        first_steps.first_step_number,
        funnel_steps.step_number,
        funnels.conversion_window_seconds
    from events
    inner join funnel_steps
        on events.event_name = funnel_steps.event_name
    inner join first_steps
        on
            funnel_steps.funnel_name = first_steps.funnel_name
            and funnel_steps.event_name = first_steps.event_name
    inner join funnels
        on funnel_steps.funnel_name = funnels.funnel_name
),

level_1 as (
    select
        funnel_name,
        account_id,
        event_id,
        event_rank,
        occurred_at,
        first_step_number,
        conversion_window_seconds,
        1 as step_number,
        occurred_at as attempt_started_at
    from funnel_events
    where step_number = 1
),

{% for level in range(2, max_steps + 1) %}
    candidates_{{ level }} as (
        select
            funnel_name,
            account_id,
            event_id,
            event_rank,
            occurred_at,
            first_step_number,
            conversion_window_seconds,
            step_number,
            attempt_started_at
        from level_{{ level - 1 }}
        union all
        select
            funnel_name,
            account_id,
            event_id,
            event_rank,
            occurred_at,
            first_step_number,
            conversion_window_seconds,
            step_number,
            null as attempt_started_at
        from funnel_events
        where step_number = {{ level }}
    ),

    extended_{{ level }} as (
        select
            candidates_{{ level }}.*,
            max(candidates_{{ level }}.attempt_started_at) over (
                partition by candidates_{{ level }}.funnel_name, candidates_{{ level }}.account_id
                order by
                    candidates_{{ level }}.occurred_at asc,
                    candidates_{{ level }}.first_step_number asc,
                    candidates_{{ level }}.event_rank asc,
                    candidates_{{ level }}.step_number desc
                rows between unbounded preceding and 1 preceding
            ) as previous_attempt_started_at
        from candidates_{{ level }}
    ),

    level_{{ level }} as (
        select
            funnel_name,
            account_id,
            event_id,
            event_rank,
            occurred_at,
            first_step_number,
            conversion_window_seconds,
            step_number,
            previous_attempt_started_at as attempt_started_at
        from extended_{{ level }}
        where
            step_number = {{ level }}
            and previous_attempt_started_at is not null
            and {{ elapsed_seconds('previous_attempt_started_at', 'occurred_at') }} <= conversion_window_seconds
    ),

{% endfor %}
step_events as (
    {%- for level in range(1, max_steps + 1) %}
        select
            funnel_name,
            account_id,
            step_number,
            event_id,
            occurred_at,
            attempt_started_at
        from level_{{ level }}
        {{ "union all" if not loop.last }}
    {%- endfor %}
),


-- The counted attempt in one pass over step_events (Spark inlines a CTE at
-- every reference): the last row in (step, attempt start) order is at the
-- furthest step, in the latest attempt that reached it.
counted_attempt as (
    select
        step_events.*,
        max(step_events.step_number) over attempts as furthest_step,
        last_value(step_events.attempt_started_at) over attempts as first_step_at
    from step_events
    window attempts as (
        partition by step_events.funnel_name, step_events.account_id
        order by step_events.step_number asc, step_events.attempt_started_at asc
        rows between unbounded preceding and unbounded following
    )
),

attempt_steps as (
    select
        funnel_name,
        account_id,
        step_number,
        furthest_step,
        first_step_at,
        min(occurred_at) as reached_at
    from counted_attempt
    where attempt_started_at = first_step_at
    group by funnel_name, account_id, step_number, furthest_step, first_step_at
),

final as (
    select
        attempt_steps.funnel_name,
        attempt_steps.account_id,
        attempt_steps.step_number,
        attempt_steps.furthest_step,
        attempt_steps.first_step_at,
        attempt_steps.reached_at,
        event_accounts.signed_up_at,
        event_accounts.config_segment,
        account_signatures.account_signature as _account_signature,
        {{ inputs_fingerprint_column() }}
    from attempt_steps
    inner join event_accounts
        on attempt_steps.account_id = event_accounts.account_id
    left join account_signatures
        on attempt_steps.account_id = account_signatures.account_id
)

{{ log_accounts_to_recompute() }}
select * from final
