{#- The days an account is alerted: each day of its onboarding period on
    which at least one at-risk rule fires for the first time
    (int_account_risk_signals), with every rule firing that day (new or
    still firing), their reasons in one text (each in the words of macro
    risk_signal_detail), the playbook that applies
    (seed playbooks: for an overdue milestone, the playbook of the
    milestone's event when there is one, else the rule's; over several
    rules, the playbook of highest priority) and its owner's daily cap
    (seed alert_caps: the segment's row, else the 'default' row). -#}

with

signals as (
    select * from {{ ref('int_account_risk_signals') }}
),

accounts as (
    select * from {{ ref('int_accounts') }}
),

milestone_config as (
    select * from {{ ref('milestones') }}
),

playbooks as (
    select * from {{ ref('playbooks') }}
),

caps as (
    select * from {{ ref('alert_caps') }}
),

first_days as (
    select
        account_id,
        rule_name,
        min(day_number) as first_day_number
    from signals
    group by account_id, rule_name
),

alert_days as (
    select distinct
        account_id,
        first_day_number as day_number
    from first_days
),

{#- Each rule firing on an alert day, with its playbook. #}

day_rules as (
    select
        signals.account_id,
        signals.day_number,
        signals.day_ends_at,
        signals.rule_name,
        {{ risk_signal_detail('signals.rule_name', 'signals.rule_subject', 'signals.occurrences') }} as detail,
        first_days.first_day_number = signals.day_number as is_new,
        coalesce(milestone_playbooks.playbook_id, rule_playbooks.playbook_id) as playbook_id,
        coalesce(milestone_playbooks.priority, rule_playbooks.priority) as playbook_priority
    from signals
    inner join alert_days
        on signals.account_id = alert_days.account_id and signals.day_number = alert_days.day_number
    inner join first_days
        on signals.account_id = first_days.account_id and signals.rule_name = first_days.rule_name
    inner join accounts
        on signals.account_id = accounts.account_id
    left join milestone_config
        on
            signals.rule_name = 'milestone_overdue'
            and accounts.config_segment = milestone_config.segment
            and signals.rule_subject = milestone_config.milestone_name
    left join playbooks as milestone_playbooks
        on
            milestone_playbooks.trigger_type = 'milestone_event'
            and milestone_config.event_name = milestone_playbooks.trigger_name
    left join playbooks as rule_playbooks
        on
            rule_playbooks.trigger_type = 'rule'
            and signals.rule_name = rule_playbooks.trigger_name
),

ranked_rules as (
    select
        day_rules.*,
        row_number() over (
            partition by day_rules.account_id, day_rules.day_number
            order by day_rules.playbook_priority, day_rules.rule_name
        ) as rule_rank
    from day_rules
),

{#- The four rules are fixed (seed at_risk_rules' accepted values): their
    names and reasons are listed in this order. #}

days as (
    select
        account_id,
        day_number,
        max(day_ends_at) as day_ends_at,
        count(*) as rule_count,
        {{ count_if('is_new') }} as new_rule_count,
        max(case when rule_rank = 1 then rule_name end) as primary_rule_name,
        max(case when rule_rank = 1 then playbook_id end) as playbook_id,
        max(case when rule_name = 'milestone_overdue' then detail end) as overdue_detail,
        max(case when rule_name = 'no_login' then detail end) as no_login_detail,
        max(case when rule_name = 'repeated_help_topic' then detail end) as help_detail,
        max(case when rule_name = 'repeated_failures' then detail end) as failures_detail,
        max(case when rule_name = 'milestone_overdue' and is_new then 1 else 0 end) = 1 as is_new_overdue,
        max(case when rule_name = 'no_login' and is_new then 1 else 0 end) = 1 as is_new_no_login,
        max(case when rule_name = 'repeated_help_topic' and is_new then 1 else 0 end) = 1 as is_new_help,
        max(case when rule_name = 'repeated_failures' and is_new then 1 else 0 end) = 1 as is_new_failures
    from ranked_rules
    group by account_id, day_number
),

listed as (
    select
        days.*,
        {{ dbt.concat([
            "case when overdue_detail is not null then 'milestone_overdue, ' else '' end",
            "case when no_login_detail is not null then 'no_login, ' else '' end",
            "case when help_detail is not null then 'repeated_help_topic, ' else '' end",
            "case when failures_detail is not null then 'repeated_failures, ' else '' end"
        ]) }} as rule_list,
        {{ dbt.concat([
            "case when is_new_overdue then 'milestone_overdue, ' else '' end",
            "case when is_new_no_login then 'no_login, ' else '' end",
            "case when is_new_help then 'repeated_help_topic, ' else '' end",
            "case when is_new_failures then 'repeated_failures, ' else '' end"
        ]) }} as new_rule_list,
        {{ dbt.concat([
            "coalesce(" ~ dbt.concat(["overdue_detail", "'; '"]) ~ ", '')",
            "coalesce(" ~ dbt.concat(["no_login_detail", "'; '"]) ~ ", '')",
            "coalesce(" ~ dbt.concat(["help_detail", "'; '"]) ~ ", '')",
            "coalesce(" ~ dbt.concat(["failures_detail", "'; '"]) ~ ", '')"
        ]) }} as detail_list
    from days
),

final as (
    select
        listed.account_id,
        listed.day_number,
        listed.day_ends_at,
        cast(listed.rule_count as integer) as rule_count,
        cast(listed.new_rule_count as integer) as new_rule_count,
        substring(listed.rule_list, 1, {{ dbt.length('listed.rule_list') }} - 2) as rule_names,
        substring(listed.new_rule_list, 1, {{ dbt.length('listed.new_rule_list') }} - 2) as new_rule_names,
        listed.primary_rule_name,
        substring(listed.detail_list, 1, {{ dbt.length('listed.detail_list') }} - 2) as detail,
        listed.is_new_overdue,
        listed.is_new_no_login,
        listed.is_new_help,
        listed.is_new_failures,
        playbooks.playbook_id,
        playbooks.owner_role,
        playbooks.action as playbook_action,
        playbooks.expected_within_hours,
        playbooks.success_criterion,
        playbooks.measurement_window_days,
        coalesce(own_caps.daily_cap, default_caps.daily_cap) as daily_cap
    from listed
    inner join accounts
        on listed.account_id = accounts.account_id
    left join playbooks
        on listed.playbook_id = playbooks.playbook_id
    left join caps as own_caps
        on accounts.config_segment = own_caps.segment and playbooks.owner_role = own_caps.owner_role
    left join caps as default_caps
        on default_caps.segment = 'default' and playbooks.owner_role = default_caps.owner_role
)

select * from final
