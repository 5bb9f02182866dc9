{#- The configured funnels, evaluated for every account in one sweep over its
    events per step (no join between steps). Level j holds, at each event
    that can fill step j, the start of the latest attempt that reaches step j
    with that event; the latest start dominates (its window ends last), so
    keeping it alone is exact. Events are ordered by time, then by the first
    step their name can fill (so equal timestamps can fill consecutive steps),
    then by event_id; an event may only build on an earlier event in that
    order, so it fills at most one step of an attempt. The number of levels
    is var('funnel_max_steps'). -#}

{#- Strict funnels take the same levels, but a step extends only the attempt
    whose previous step is the event just before it among the events that
    match a step of the funnel (a join on that position instead of the sweep).
    Unordered funnels: every event that fills a step anchors an attempt, which
    takes the events of the funnel within the window from the anchor, each
    event for the first step it can fill and each step once (steps with the
    same definition as many times as there are such steps); its k-th such
    event reaches step k. -#}

{#- Then, per funnel and account that did the first step, the counted
    attempt: attempts disqualified by an exclusion event are dropped
    (PostHog's rule, seeds/_seeds.yml funnel_exclusions); of the others, the
    one that reaches the furthest step, and of those the one that started
    last; with the time it reached each of its steps (the first event of the
    attempt at that step). -#}


{#- Account-level incremental: a run recomputes only the accounts whose
    funnel events or account changed (macros/incremental/accounts.sql). -#}
-- depends_on: {{ ref('int_accounts') }}
{{
    config(
        materialized=account_level_materialization(),
        incremental_strategy='replace_accounts',
        recompute_events_from='int_funnel_event_names',
        rows_for_every_account=false,
        on_schema_change='fail',
    )
}}

{%- set max_steps = var('funnel_max_steps') | int %}
{%- set level_columns = [
    'funnel_name', 'account_id', 'event_id', 'event_rank', 'occurred_at', 'first_step_number',
    'funnel_sequence', 'conversion_window_seconds', 'funnel_order_type', 'step_number',
] %}

with

funnels as (
    select * from {{ ref('int_funnels') }}
),

funnel_steps as (
    select * from {{ ref('funnel_steps') }}
),

funnel_exclusions as (
    select * from {{ ref('funnel_exclusions') }}
),

funnel_event_names as (
    select * from {{ ref('int_funnel_event_names') }}
),

account_signatures as (
    {{ account_signatures() }}
),

events as (
    select
        event_id,
        account_id,
        event_name,
        event_category,
        occurred_at,
        properties,
        signed_up_at,
        config_segment,
        -- Ties on the timestamp are broken by event_id: ranked once here, so that
        -- the step passes below sort on integers only.
        row_number() over (partition by account_id order by occurred_at asc, event_id asc) as event_rank
    from {{ ref('int_account_events') }}
    where
        event_name in (select funnel_event_names.event_name from funnel_event_names)
        and {{ is_account_to_recompute('account_id') }}
),

event_accounts as (
    select distinct
        account_id,
        signed_up_at,
        config_segment
    from events
),

{%- set step_columns = ['funnel_name', 'step_number', 'property_key', 'property_value'] %}
{%- set exclusion_columns = ['funnel_name', 'from_step', 'to_step'] %}

-- The steps' and exclusions' event rules ('a|b', 'category:<category>') split into
-- their parts (macros/event_rules.sql, as milestones); an event matches a part by its
-- name or its taxonomy category (int_account_events.event_category). Matched on the
-- events directly: no second pass over them (Spark inlines a CTE at every reference).
step_rule_parts as (
    {{ event_rule_parts('funnel_steps', step_columns) }}
),

exclusion_rule_parts as (
    {{ event_rule_parts('funnel_exclusions', exclusion_columns) }}
),

-- Each step an event can fill: its name is one the step's rule stands for, and its
-- property matches when the step has a filter.
step_matches as (
    select distinct
        step_rule_parts.funnel_name,
        events.account_id,
        events.event_id,
        events.event_rank,
        events.occurred_at,
        step_rule_parts.step_number,
        funnels.conversion_window_seconds,
        funnels.funnel_order_type
    from events
    inner join step_rule_parts
        on
            {{ event_rule_matches('step_rule_parts.event_part', 'events.event_name', 'events.event_category') }}
            and (
                step_rule_parts.property_key is null
                or {{ json_text('events.properties', 'step_rule_parts.property_key') }}
                = step_rule_parts.property_value
            )
    inner join funnels
        on step_rule_parts.funnel_name = funnels.funnel_name
),

first_steps as (
    select
        step_matches.*,
        min(step_matches.step_number) over (
            partition by step_matches.funnel_name, step_matches.account_id, step_matches.event_id
        ) as first_step_number
    from step_matches
),

-- The position of each event among the account's events that fill a step of
-- the funnel (read by strict funnels).
funnel_events as (
    select
        first_steps.*,
        dense_rank() over (
            partition by first_steps.funnel_name, first_steps.account_id
            order by first_steps.occurred_at asc, first_steps.first_step_number asc, first_steps.event_rank asc
        ) as funnel_sequence
    from first_steps
),

-- Ordered and strict funnels take separate chains of levels: each level reads
-- the one before once (Spark inlines a CTE at every reference).
level_1 as (
    select
        {{ level_columns | join(',\n        ') }},
        occurred_at as attempt_started_at
    from funnel_events
    where
        step_number = 1
        and funnel_order_type = 'ordered'
),

strict_1 as (
    select
        {{ level_columns | join(',\n        ') }},
        occurred_at as attempt_started_at
    from funnel_events
    where
        step_number = 1
        and funnel_order_type = 'strict'
),

{% for level in range(2, max_steps + 1) %}
    candidates_{{ level }} as (
        select
            {{ level_columns | join(',\n            ') }},
            attempt_started_at
        from level_{{ level - 1 }}
        union all
        select
            {{ level_columns | join(',\n            ') }},
            null as attempt_started_at
        from funnel_events
        where
            step_number = {{ level }}
            and funnel_order_type = 'ordered'
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

    strict_{{ level }} as (
        select
            {% for column in level_columns -%}
                step_event.{{ column }},
            {% endfor -%}
            previous_step.attempt_started_at
        from funnel_events as step_event
        inner join strict_{{ level - 1 }} as previous_step
            on
                step_event.funnel_name = previous_step.funnel_name
                and step_event.account_id = previous_step.account_id
                and step_event.funnel_sequence = previous_step.funnel_sequence + 1
        where
            step_event.step_number = {{ level }}
            and step_event.funnel_order_type = 'strict'
            and {{ elapsed_seconds('previous_step.attempt_started_at', 'step_event.occurred_at') }}
            <= step_event.conversion_window_seconds
    ),

    level_{{ level }} as (
        select
            {{ level_columns | join(',\n            ') }},
            previous_attempt_started_at as attempt_started_at
        from extended_{{ level }}
        where
            step_number = {{ level }}
            and previous_attempt_started_at is not null
            and {{ elapsed_seconds('previous_attempt_started_at', 'occurred_at') }} <= conversion_window_seconds
    ),

{% endfor %}
unordered_events as (
    select *
    from funnel_events
    where
        funnel_order_type = 'unordered'
        and step_number = first_step_number
),

-- Steps of an unordered funnel with the same definition (the rule as written and
-- the property filter) form a group that as many events can fill as it has steps.
step_groups as (
    select
        funnel_name,
        min(step_number) as first_step_number,
        count(*) as steps_in_group
    from funnel_steps
    group by funnel_name, event_name, property_key, property_value
),

unordered_candidates as (
    select
        anchor.funnel_name,
        anchor.account_id,
        anchor.event_id as anchor_event_id,
        anchor.occurred_at as attempt_started_at,
        candidate.event_id,
        candidate.event_rank,
        candidate.occurred_at,
        candidate.first_step_number,
        step_groups.steps_in_group,
        row_number() over (
            partition by anchor.funnel_name, anchor.account_id, anchor.event_id, candidate.first_step_number
            order by candidate.occurred_at asc, candidate.event_rank asc
        ) as use_in_group
    from unordered_events as anchor
    inner join unordered_events as candidate
        on
            anchor.funnel_name = candidate.funnel_name
            and anchor.account_id = candidate.account_id
            and anchor.occurred_at <= candidate.occurred_at
            and {{ elapsed_seconds('anchor.occurred_at', 'candidate.occurred_at') }}
            <= anchor.conversion_window_seconds
    inner join step_groups
        on
            candidate.funnel_name = step_groups.funnel_name
            and candidate.first_step_number = step_groups.first_step_number
),

unordered_steps as (
    select
        funnel_name,
        account_id,
        event_id,
        occurred_at,
        attempt_started_at,
        row_number() over (
            partition by funnel_name, account_id, anchor_event_id
            order by occurred_at asc, first_step_number asc, event_rank asc
        ) as step_number
    from unordered_candidates
    where use_in_group <= steps_in_group
),

step_events as (
    {%- for level in range(1, max_steps + 1) %}
        select
            funnel_name,
            account_id,
            step_number,
            occurred_at,
            attempt_started_at
        from level_{{ level }}
        union all
        select
            funnel_name,
            account_id,
            step_number,
            occurred_at,
            attempt_started_at
        from strict_{{ level }}
        union all
    {%- endfor %}
    select
        funnel_name,
        account_id,
        step_number,
        occurred_at,
        attempt_started_at
    from unordered_steps
),

-- Attempts are told apart by their start; an attempt reaches a step at the
-- first event that takes it there.
attempt_reached as (
    select
        funnel_name,
        account_id,
        attempt_started_at,
        step_number,
        min(occurred_at) as reached_at
    from step_events
    group by funnel_name, account_id, attempt_started_at, step_number
),

attempts as (
    select
        funnel_name,
        account_id,
        attempt_started_at,
        max(step_number) as attempt_furthest_step
    from attempt_reached
    group by funnel_name, account_id, attempt_started_at
),

exclusion_events as (
    select distinct
        exclusion_rule_parts.funnel_name,
        exclusion_rule_parts.from_step,
        exclusion_rule_parts.to_step,
        events.account_id,
        events.event_id,
        events.occurred_at
    from events
    inner join exclusion_rule_parts
        on {{ event_rule_matches('exclusion_rule_parts.event_part', 'events.event_name', 'events.event_category') }}
),

-- PostHog's rule: an exclusion event strictly after the attempt's from_step
-- and strictly before its to_step, or, when the attempt did not reach
-- to_step, strictly before from_step's time plus the window.
disqualified_attempts as (
    select distinct
        attempts.funnel_name,
        attempts.account_id,
        attempts.attempt_started_at
    from attempts
    inner join funnels
        on attempts.funnel_name = funnels.funnel_name
    inner join exclusion_events
        on
            attempts.funnel_name = exclusion_events.funnel_name
            and attempts.account_id = exclusion_events.account_id
            and attempts.attempt_furthest_step >= exclusion_events.from_step
    inner join attempt_reached as from_step
        on
            attempts.funnel_name = from_step.funnel_name
            and attempts.account_id = from_step.account_id
            and attempts.attempt_started_at = from_step.attempt_started_at
            and exclusion_events.from_step = from_step.step_number
    left join attempt_reached as to_step
        on
            attempts.funnel_name = to_step.funnel_name
            and attempts.account_id = to_step.account_id
            and attempts.attempt_started_at = to_step.attempt_started_at
            and exclusion_events.to_step = to_step.step_number
    where
        exclusion_events.occurred_at > from_step.reached_at
        and (
            exclusion_events.occurred_at < to_step.reached_at
            or (
                to_step.reached_at is null
                and {{ elapsed_seconds('from_step.reached_at', 'exclusion_events.occurred_at') }}
                < funnels.conversion_window_seconds
            )
        )
),

ranked_attempts as (
    select
        attempts.*,
        row_number() over (
            partition by attempts.funnel_name, attempts.account_id
            order by attempts.attempt_furthest_step desc, attempts.attempt_started_at desc
        ) as attempt_rank
    from attempts
    left join disqualified_attempts
        on
            attempts.funnel_name = disqualified_attempts.funnel_name
            and attempts.account_id = disqualified_attempts.account_id
            and attempts.attempt_started_at = disqualified_attempts.attempt_started_at
    where disqualified_attempts.attempt_started_at is null
),

attempt_steps as (
    select
        attempt_reached.funnel_name,
        attempt_reached.account_id,
        attempt_reached.step_number,
        ranked_attempts.attempt_furthest_step as furthest_step,
        ranked_attempts.attempt_started_at as first_step_at,
        attempt_reached.reached_at
    from attempt_reached
    inner join ranked_attempts
        on
            attempt_reached.funnel_name = ranked_attempts.funnel_name
            and attempt_reached.account_id = ranked_attempts.account_id
            and attempt_reached.attempt_started_at = ranked_attempts.attempt_started_at
    where ranked_attempts.attempt_rank = 1
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
