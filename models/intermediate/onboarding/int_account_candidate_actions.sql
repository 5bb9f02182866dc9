{#- Candidate activation actions (also the features of feature adoption) and
    how often each account did them: in its first var('discovery_window_days')
    days and in its onboarding period; and when it first did them.
    The candidates are the taxonomy's core actions, and the property-filtered
    variants the milestones seed uses (a workflow run that succeeded). -#}

with

accounts as (
    select * from {{ ref('int_accounts') }}
),

events as (
    select * from {{ ref('int_account_events') }}
),

taxonomy as (
    select * from {{ ref('event_taxonomy') }}
),

milestone_rules as (
    select * from {{ ref('milestones') }}
),

actions as (
    select
        event_name,
        cast(null as {{ dbt.type_string() }}) as property_key,
        cast(null as {{ dbt.type_string() }}) as property_value
    from taxonomy
    where category = 'core_action'
    union
    select
        event_name,
        property_key,
        property_value
    from milestone_rules
    where property_key is not null
),

qualifying as (
    select
        events.account_id,
        actions.event_name,
        actions.property_key,
        actions.property_value,
        events.occurred_at,
        {{ is_within_window('events.occurred_at', 'accounts.signed_up_at', var('discovery_window_days')) }}
            as is_in_discovery_window,
        {{ is_within_window('events.occurred_at', 'accounts.signed_up_at', 'accounts.onboarding_period_days') }}
            as is_in_onboarding
    from events
    inner join accounts
        on events.account_id = accounts.account_id
    inner join actions
        on events.event_name = actions.event_name
    where
        actions.property_key is null
        or {{ json_text('events.properties', 'actions.property_key') }} = actions.property_value
),

counts as (
    select
        account_id,
        event_name,
        property_key,
        property_value,
        {{ count_if('is_in_discovery_window') }} as events_in_discovery_window,
        {{ count_if('is_in_onboarding') }} as events_in_onboarding,
        min(occurred_at) as first_done_at
    from qualifying
    group by account_id, event_name, property_key, property_value
),

final as (
    select
        accounts.account_id,
        actions.event_name,
        actions.property_key,
        actions.property_value,
        case
            when actions.property_key is null then actions.event_name
            else {{ dbt.concat(["actions.event_name", "'['", "actions.property_key", "'='",
                                "actions.property_value", "']'"]) }}
        end as action_name,
        coalesce(counts.events_in_discovery_window, 0) as events_in_discovery_window,
        coalesce(counts.events_in_onboarding, 0) as events_in_onboarding,
        counts.first_done_at,
        {{ elapsed_seconds('accounts.signed_up_at', 'counts.first_done_at') }} / 86400.0 as days_to_first_done
    from accounts
    cross join actions
    left join counts
        on
            accounts.account_id = counts.account_id
            and actions.event_name = counts.event_name
            and coalesce(actions.property_key, '') = coalesce(counts.property_key, '')
            and coalesce(actions.property_value, '') = coalesce(counts.property_value, '')
)

select * from final
