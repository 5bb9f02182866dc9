{#- The at-risk rules that fired, per account, day of its onboarding period
    and rule (see int_account_risk_signals for the rules), with the
    account's segment: the replayable daily history of at-risk accounts. -#}

with

signals as (
    select * from {{ ref('int_account_risk_signals') }}
),

accounts as (
    select * from {{ ref('int_accounts') }}
),

activation as (
    select * from {{ ref('int_account_activation') }}
),

final as (
    select
        {{ dbt.concat([
            "signals.account_id", "':'", "cast(signals.day_number as " ~ dbt.type_string() ~ ")",
            "':'", "signals.rule_name",
        ]) }} as signal_id,
        signals.account_id,
        accounts.segment,
        accounts.config_segment,
        accounts.signed_up_at,
        signals.day_number,
        signals.day_ends_at,
        cast(signals.day_ends_at as date) as evaluated_on,
        signals.rule_name,
        signals.threshold,
        signals.rule_subject,
        signals.occurrences,
        {{ risk_signal_detail('signals.rule_name', 'signals.rule_subject', 'signals.occurrences') }} as detail,
        activation.activated_at,
        activation.activated_at is not null as is_rescued
    from signals
    inner join accounts
        on signals.account_id = accounts.account_id
    left join activation
        on signals.account_id = activation.account_id
)

select * from final
