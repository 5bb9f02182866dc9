{#- One alert per account and rule: the first day the rule fired, what it
    said then, and the rescue: whether the account activated afterwards,
    and how long after the alert. -#}

with

signals as (
    select * from {{ ref('int_account_risk_signals') }}
),

accounts as (
    select * from {{ ref('int_accounts') }}
),

activation as (
    select
        account_id,
        activated_at
    from {{ ref('int_account_activation') }}
),

as_of as (
    select as_of_at from {{ ref('int_as_of') }}
),

ranked as (
    select
        signals.*,
        row_number() over (
            partition by signals.account_id, signals.rule_name
            order by signals.day_number
        ) as firing_number,
        count(*) over (partition by signals.account_id, signals.rule_name) as days_fired
    from signals
),

final as (
    select
        {{ dbt.concat(["ranked.account_id", "':'", "ranked.rule_name"]) }} as alert_id,
        ranked.account_id,
        accounts.segment,
        accounts.config_segment,
        accounts.signed_up_at,
        ranked.rule_name,
        ranked.day_number as alert_day_number,
        ranked.day_ends_at as alerted_at,
        cast(ranked.day_ends_at as date) as alerted_on,
        ranked.rule_subject,
        ranked.occurrences,
        {{ risk_signal_detail('ranked.rule_name', 'ranked.rule_subject', 'ranked.occurrences') }} as detail,
        cast(ranked.days_fired as integer) as days_fired,
        activation.activated_at,
        activation.activated_at is not null as is_rescued,
        {{ elapsed_seconds('ranked.day_ends_at', 'activation.activated_at') }} / 86400.0 as days_to_rescue,
        activation.activated_at is null
        and {{ dbt.dateadd('day', 'accounts.onboarding_period_days', 'accounts.signed_up_at') }}
        > as_of.as_of_at as is_onboarding_open
    from ranked
    inner join accounts
        on ranked.account_id = accounts.account_id
    cross join as_of
    left join activation
        on ranked.account_id = activation.account_id
    where ranked.firing_number = 1
)

select * from final
