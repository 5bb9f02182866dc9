{#- One row per account and feature (a core action of the event taxonomy):
    when the account first used it, and whether within its first
    var('feature_adoption_days') (30) days, with that window's maturity. -#}

with

accounts as (
    select * from {{ ref('int_accounts') }}
),

actions as (
    select * from {{ ref('int_account_candidate_actions') }}
    where property_key is null
),

as_of as (
    select as_of_at from {{ ref('int_as_of') }}
),

final as (
    select
        actions.account_id,
        accounts.segment,
        actions.event_name as feature_name,
        actions.first_done_at as first_used_at,
        actions.days_to_first_done as days_to_first_use,
        {{ is_within_window('actions.first_done_at', 'accounts.signed_up_at', var('feature_adoption_days')) }}
            as is_adopted_early,
        {{ is_window_mature('accounts.signed_up_at', var('feature_adoption_days'), 'as_of.as_of_at') }}
            as is_adoption_window_mature
    from actions
    inner join accounts
        on actions.account_id = accounts.account_id
    cross join as_of
)

select * from final
