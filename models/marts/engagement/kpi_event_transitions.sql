{#- Next-event transition probabilities (a Markov matrix of event
    categories) per segment and activation status: of the events of
    from_category, the share whose account's next event was of to_category
    ("(end)": it was the account's last event). Each from_category row sums
    to 1. -#}

with

account_transitions as (
    select * from {{ ref('fct_account_event_transitions') }}
),

counted as (
    select
        segment,
        activation_status,
        from_category,
        to_category,
        sum(transitions) as transitions,
        count(*) as transition_accounts
    from account_transitions
    group by segment, activation_status, from_category, to_category
),

final as (
    select
        segment,
        activation_status,
        from_category,
        to_category,
        cast(transitions as bigint) as transitions,
        transition_accounts,
        {{ safe_rate('transitions', 'sum(transitions) over (partition by segment, activation_status, from_category)') }}
            as transition_probability
    from counted
)

select * from final
