{#- One row per account and candidate activation action ("did the action at
    least N times", N in var('discovery_min_counts')): whether the account did
    it in its first var('discovery_window_days') days and within its
    onboarding period, and whether it was still a customer on day
    var('discovery_retention_day') (6 months), with the maturity of each. -#}

with

accounts as (
    select * from {{ ref('int_accounts') }}
),

actions as (
    select * from {{ ref('int_account_candidate_actions') }}
),

retention as (
    select * from {{ ref('int_account_retention_days') }}
    where retention_day = {{ var('discovery_retention_day') }}
),

as_of as (
    select as_of_at from {{ ref('int_as_of') }}
),

min_counts as (
    {{ integer_rows(var('discovery_min_counts'), 'min_count') }}
),

final as (
    select
        actions.account_id,
        accounts.segment,
        accounts.config_segment,
        {{ dbt.concat(["actions.action_name", "' x'", "cast(min_counts.min_count as " ~ dbt.type_string() ~ ")"]) }}
            as candidate_name,
        actions.action_name,
        min_counts.min_count,
        actions.events_in_discovery_window >= min_counts.min_count as did_in_discovery_window,
        actions.events_in_onboarding >= min_counts.min_count as did_in_onboarding,
        retention.is_subscribed as is_retained,
        retention.day_ends_at <= as_of.as_of_at as is_retention_mature,
        {{ is_window_mature('accounts.signed_up_at', 'accounts.onboarding_period_days', 'as_of.as_of_at') }}
            as is_onboarding_mature
    from actions
    inner join accounts
        on actions.account_id = accounts.account_id
    inner join retention
        on actions.account_id = retention.account_id
    cross join min_counts
    cross join as_of
)

select * from final
