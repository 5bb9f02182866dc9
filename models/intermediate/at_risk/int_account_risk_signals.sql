{#- The at-risk rules (seed at_risk_rules) that fire, one row per account,
    judged day and rule: the union of the rule families (int_risk_*), each
    evaluated on the days of int_account_onboarding_days with the events that
    occurred before the day's end, so the rows of a past day do not change as
    days go by: history can be replayed. Rules and their exact definitions:
    the yml. The alert's words are made in the marts (macro risk_signal_detail). -#}

with

rules as (
    select * from {{ ref('at_risk_rules') }}
),

fired as (
    select * from {{ ref('int_risk_overdue_milestones') }}
    union all
    select * from {{ ref('int_risk_no_login') }}
    union all
    select * from {{ ref('int_risk_repeated_events') }}
),

final as (
    select
        fired.account_id,
        fired.day_number,
        fired.day_ends_at,
        fired.rule_name,
        rules.threshold,
        fired.rule_subject,
        fired.occurrences
    from fired
    inner join rules
        on fired.rule_name = rules.rule_name
)

select * from final
