{#- The at-risk rules (seed at_risk_rules), evaluated for every complete day
    of each account's onboarding period on which it has not activated yet:
    one row per account, day and rule that fires, with what fired (the
    overdue milestone, the help topic, the failing action) and how many.
    A day is evaluated with the events that occurred before its end, so
    the rows of a past day do not change as days go by: history can be
    replayed. Rules and their exact definitions: the yml. -#}

with

accounts as (
    select * from {{ ref('int_accounts') }}
),

milestones as (
    select * from {{ ref('int_account_milestones') }}
),

events as (
    select * from {{ ref('int_account_events') }}
),

as_of as (
    select as_of_at from {{ ref('int_as_of') }}
),

rules as (
    select * from {{ ref('at_risk_rules') }}
),

day_numbers as (
    {{ dbt.generate_series(var('onboarding_max_days')) }}
),

activation as (
    select
        account_id,
        reached_at as activated_at
    from milestones
    where is_activation
),

{#- The evaluated days: complete by the as-of instant, inside the onboarding
    period, and the account not activated by the day's end. #}

account_days as (
    select
        accounts.account_id,
        accounts.signed_up_at,
        cast(day_numbers.generated_number - 1 as integer) as day_number,
        {{ dbt.dateadd('day', 'day_numbers.generated_number', 'accounts.signed_up_at') }} as day_ends_at
    from accounts
    cross join as_of
    inner join day_numbers
        on accounts.onboarding_period_days >= day_numbers.generated_number
    left join activation
        on accounts.account_id = activation.account_id
    where
        {{ dbt.dateadd('day', 'day_numbers.generated_number', 'accounts.signed_up_at') }} <= as_of.as_of_at
        and (
            activation.activated_at is null
            or activation.activated_at >= {{ dbt.dateadd('day', 'day_numbers.generated_number', 'accounts.signed_up_at') }}
        )
),

rule_overdue as (
    select threshold from rules
    where rule_name = 'milestone_overdue'
),

rule_no_login as (
    select threshold from rules
    where rule_name = 'no_login'
),

rule_help as (
    select
        threshold,
        lookback_days
    from rules
    where rule_name = 'repeated_help_topic'
),

rule_failures as (
    select
        threshold,
        lookback_days
    from rules
    where rule_name = 'repeated_failures'
),

{#- milestone_overdue: expected by day N, not reached before the end of day
    N + threshold or any later day. The first overdue step is named. #}

overdue_milestones as (
    select
        account_days.account_id,
        account_days.day_number,
        account_days.day_ends_at,
        milestones.milestone_name,
        milestones.step_number,
        count(*) over (
            partition by account_days.account_id, account_days.day_number
        ) as overdue_milestones,
        row_number() over (
            partition by account_days.account_id, account_days.day_number
            order by milestones.step_number
        ) as overdue_rank
    from account_days
    cross join rule_overdue
    inner join milestones
        on account_days.account_id = milestones.account_id
    where
        account_days.day_number >= milestones.expected_by_day + rule_overdue.threshold
        and (milestones.reached_at is null or milestones.reached_at >= account_days.day_ends_at)
),

milestone_overdue as (
    select
        account_id,
        day_number,
        day_ends_at,
        'milestone_overdue' as rule_name,
        milestone_name as rule_subject,
        cast(overdue_milestones as integer) as occurrences
    from overdue_milestones
    where overdue_rank = 1
),

{#- no_login: whole days without a login, counted back from the day
    (inclusive) to the day after the last login, or to sign-up. #}

login_days as (
    select distinct
        account_id,
        day_number
    from events
    where event_name = 'login'
),

last_logins as (
    select
        account_days.account_id,
        account_days.day_number,
        account_days.day_ends_at,
        max(login_days.day_number) as last_login_day
    from account_days
    left join login_days
        on
            account_days.account_id = login_days.account_id
            and account_days.day_number >= login_days.day_number
    group by account_days.account_id, account_days.day_number, account_days.day_ends_at
),

no_login as (
    select
        last_logins.account_id,
        last_logins.day_number,
        last_logins.day_ends_at,
        'no_login' as rule_name,
        cast(null as {{ dbt.type_string() }}) as rule_subject,
        cast(last_logins.day_number - coalesce(last_logins.last_login_day, -1) as integer) as occurrences
    from last_logins
    cross join rule_no_login
    where last_logins.day_number - coalesce(last_logins.last_login_day, -1) >= rule_no_login.threshold
),

{#- repeated_help_topic: views of one topic in the lookback days that
    occurred after the last milestone reached before the day's end. #}

progress_days as (
    select
        account_days.account_id,
        account_days.day_number,
        account_days.day_ends_at,
        max(milestones.reached_at) as last_progress_at
    from account_days
    left join milestones
        on
            account_days.account_id = milestones.account_id
            and account_days.day_ends_at > milestones.reached_at
    group by account_days.account_id, account_days.day_number, account_days.day_ends_at
),

help_views as (
    select
        account_id,
        day_number,
        occurred_at,
        {{ json_text('properties', "'topic'") }} as topic
    from events
    where event_name = 'help_article_viewed'
),

help_counts as (
    select
        progress_days.account_id,
        progress_days.day_number,
        progress_days.day_ends_at,
        help_views.topic,
        count(*) as view_count
    from progress_days
    cross join rule_help
    inner join help_views
        on
            progress_days.account_id = help_views.account_id
            and progress_days.day_number >= help_views.day_number
            and help_views.day_number > progress_days.day_number - rule_help.lookback_days
    where
        help_views.topic is not null
        and (progress_days.last_progress_at is null or help_views.occurred_at > progress_days.last_progress_at)
    group by progress_days.account_id, progress_days.day_number, progress_days.day_ends_at, help_views.topic
),

repeated_help_topic as (
    {{ top_repeated_subject('help_counts', 'topic', 'view_count', 'rule_help', 'repeated_help_topic') }}
),

{#- repeated_failures: failures of one product action in the lookback days. #}

failures as (
    select
        account_id,
        day_number,
        {{ json_text('properties', "'action'") }} as failed_action
    from events
    where event_name = 'action_failed'
),

failure_counts as (
    select
        account_days.account_id,
        account_days.day_number,
        account_days.day_ends_at,
        failures.failed_action,
        count(*) as failures
    from account_days
    cross join rule_failures
    inner join failures
        on
            account_days.account_id = failures.account_id
            and account_days.day_number >= failures.day_number
            and failures.day_number > account_days.day_number - rule_failures.lookback_days
    where failures.failed_action is not null
    group by account_days.account_id, account_days.day_number, account_days.day_ends_at, failures.failed_action
),

repeated_failures as (
    {{ top_repeated_subject('failure_counts', 'failed_action', 'failures', 'rule_failures', 'repeated_failures') }}
),

fired as (
    select * from milestone_overdue
    union all
    select * from no_login
    union all
    select * from repeated_help_topic
    union all
    select * from repeated_failures
),

final as (
    select
        fired.account_id,
        fired.day_number,
        fired.day_ends_at,
        fired.rule_name,
        rules.threshold,
        fired.rule_subject,
        fired.occurrences,
        case fired.rule_name
            when 'milestone_overdue' then {{ dbt.concat([
                "fired.rule_subject", "' overdue (overdue milestones: '",
                "cast(fired.occurrences as " ~ dbt.type_string() ~ ")", "')'"
            ]) }}
            when 'no_login' then {{ dbt.concat([
                "'no login for '", "cast(fired.occurrences as " ~ dbt.type_string() ~ ")", "' days'"
            ]) }}
            when 'repeated_help_topic' then {{ dbt.concat([
                "'help topic '", "fired.rule_subject", "' viewed '",
                "cast(fired.occurrences as " ~ dbt.type_string() ~ ")", "' times without progress'"
            ]) }}
            when 'repeated_failures' then {{ dbt.concat([
                "'action '", "fired.rule_subject", "' failed '",
                "cast(fired.occurrences as " ~ dbt.type_string() ~ ")", "' times'"
            ]) }}
        end as detail
    from fired
    inner join rules
        on fired.rule_name = rules.rule_name
)

select * from final
