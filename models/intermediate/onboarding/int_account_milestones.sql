{#- One row per account and configured milestone of its segment, with the
    first time the milestone's rule held: the min_count-th event (ties on
    the timestamp broken by event_id) with the rule's event name and, when
    the rule has one, the property value, at or after sign-up. Events before
    sign-up never count. Milestones reached out of order are recorded like
    any other. The events are read once, for all rules together.
    Account-level incremental: a run recomputes only the accounts whose
    milestone events or account changed (macros/incremental/accounts.sql). -#}
{{
    config(
        materialized=account_level_materialization(),
        incremental_strategy='replace_accounts',
        recompute_events_from='milestones',
        rows_for_every_account=true,
        on_schema_change='fail',
    )
}}

with

accounts as (
    select * from {{ ref('int_accounts') }}
    where {{ is_account_to_recompute('account_id') }}
),

account_signatures as (
    {{ account_signatures() }}
),

rules as (
    select * from {{ ref('milestones') }}
),

rule_events as (
    select distinct event_name from rules
),

events as (
    select
        account_id,
        event_id,
        event_name,
        occurred_at,
        properties
    from {{ ref('int_account_events') }}
    where
        event_name in (select rule_events.event_name from rule_events)
        and {{ is_account_to_recompute('account_id') }}
),

qualifying as (
    select
        events.account_id,
        rules.milestone_name,
        rules.min_count,
        events.event_id,
        events.occurred_at,
        row_number() over (
            partition by events.account_id, rules.milestone_name
            order by events.occurred_at, events.event_id
        ) as occurrence_number
    from events
    inner join accounts
        on events.account_id = accounts.account_id
    inner join rules
        on
            accounts.config_segment = rules.segment
            and events.event_name = rules.event_name
    where
        rules.property_key is null
        or {{ json_text('events.properties', 'rules.property_key') }} = rules.property_value
),

reached as (
    select
        account_id,
        milestone_name,
        occurred_at as reached_at,
        event_id as reached_by_event_id
    from qualifying
    where occurrence_number = min_count
),

final as (
    select
        accounts.account_id,
        accounts.signed_up_at,
        accounts.config_segment,
        rules.step_number,
        rules.milestone_name,
        rules.expected_by_day,
        rules.is_activation,
        rules.is_first_value,
        reached.reached_at,
        reached.reached_by_event_id,
        reached.reached_at is not null as is_reached,
        {{ elapsed_seconds('accounts.signed_up_at', 'reached.reached_at') }} as seconds_from_signup,
        {{ day_number('accounts.signed_up_at', 'reached.reached_at') }} as reached_day_number,
        {{ is_within_window('reached.reached_at', 'accounts.signed_up_at', 'accounts.onboarding_period_days') }}
            as is_reached_in_onboarding,
        coalesce(
            {{ day_number('accounts.signed_up_at', 'reached.reached_at') }} <= rules.expected_by_day, false
        ) as is_reached_on_time,
        account_signatures.account_signature as _account_signature,
        {{ inputs_fingerprint_column() }}
    from accounts
    inner join rules
        on accounts.config_segment = rules.segment
    left join account_signatures
        on accounts.account_id = account_signatures.account_id
    left join reached
        on
            accounts.account_id = reached.account_id
            and rules.milestone_name = reached.milestone_name
)

{{ log_accounts_to_recompute() }}
select * from final
