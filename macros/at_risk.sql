{#- The words of an at-risk signal, for the daily history (the mart
    fct_account_risk_signals) and the alert (int_account_alert_days lists
    them for fct_at_risk_alerts): what fired, on what, how many times. -#}
{% macro risk_signal_detail(rule_name, rule_subject, occurrences) -%}
    {%- set count = "cast(" ~ occurrences ~ " as " ~ dbt.type_string() ~ ")" -%}
    case {{ rule_name }}
        when 'milestone_overdue' then {{ dbt.concat([rule_subject, "' overdue (overdue milestones: '", count, "')'"]) }}
        when 'no_login' then {{ dbt.concat(["'no login for '", count, "' days'"]) }}
        when 'repeated_help_topic' then {{ dbt.concat([
            "'help topic '", rule_subject, "' viewed '", count, "' times without progress'"]) }}
        when 'repeated_failures' then {{ dbt.concat(["'action '", rule_subject, "' failed '", count, "' times'"]) }}
    end
{%- endmacro %}
