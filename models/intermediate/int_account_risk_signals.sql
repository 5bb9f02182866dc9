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

{#- no_login: whole days without a login-like event (taxonomy category
    login), counted back from the day (inclusive) to the day after the last
    one. An account that never had one by the day's end is not expected to
    log in (no activity expectation yet): the rule does not fire for it. #}

login_days as (
    select distinct
        account_id,
        day_number
    from events
    where event_category = 'login'
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
        cast(last_logins.day_number - last_logins.last_login_day as integer) as occurrences
    from last_logins
    cross join rule_no_login
    where
        last_logins.last_login_day is not null
        and last_logins.day_number - last_logins.last_login_day >= rule_no_login.threshold
),

{#- repeated_help_topic and repeated_failures: per day, the help topic
    viewed (the product action failed) most often in the rule's lookback
    days; help views count only after the last milestone reached before the
    day's end ("without milestone progress"). #}

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

repeat_events as (
    select
        account_id,
        day_number,
        occurred_at,
        'repeated_help_topic' as rule_name,
        {{ json_text('properties', "'topic'") }} as rule_subject,
        true as needs_no_progress
    from events
    where event_name = 'help_article_viewed'
    union all
    select
        account_id,
        day_number,
        occurred_at,
        'repeated_failures' as rule_name,
        {{ json_text('properties', "'action'") }} as rule_subject,
        false as needs_no_progress
    from events
    where event_name = 'action_failed'
),

repeat_counts as (
    select
        progress_days.account_id,
        progress_days.day_number,
        progress_days.day_ends_at,
        repeat_events.rule_name,
        repeat_events.rule_subject,
        count(*) as occurrences
    from progress_days
    inner join repeat_events
        on
            progress_days.account_id = repeat_events.account_id
            and progress_days.day_number >= repeat_events.day_number
    inner join rules
        on repeat_events.rule_name = rules.rule_name
    where
        repeat_events.rule_subject is not null
        and repeat_events.day_number > progress_days.day_number - rules.lookback_days
        and (
            not repeat_events.needs_no_progress
            or progress_days.last_progress_at is null
            or repeat_events.occurred_at > progress_days.last_progress_at
        )
    group by
        progress_days.account_id,
        progress_days.day_number,
        progress_days.day_ends_at,
        repeat_events.rule_name,
        repeat_events.rule_subject
),

repeat_ranked as (
    select
        repeat_counts.*,
        rules.threshold,
        row_number() over (
            partition by repeat_counts.account_id, repeat_counts.day_number, repeat_counts.rule_name
            order by repeat_counts.occurrences desc, repeat_counts.rule_subject asc
        ) as subject_rank
    from repeat_counts
    inner join rules
        on repeat_counts.rule_name = rules.rule_name
),

repeated as (
    select
        account_id,
        day_number,
        day_ends_at,
        rule_name,
        rule_subject,
        cast(occurrences as integer) as occurrences
    from repeat_ranked
    where subject_rank = 1 and occurrences >= threshold
),

fired as (
    select * from milestone_overdue
    union all
    select * from no_login
    union all
    select * from repeated
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
