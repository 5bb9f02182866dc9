{#- Rules repeated_help_topic and repeated_failures, on each judged day: the
    help topic viewed (the product action failed) most often in the rule's
    lookback days, when at least threshold times; help views count only after
    the last milestone reached before the day's end ("without milestone
    progress"). -#}

with

days as (
    select * from {{ ref('int_account_onboarding_days') }}
),

milestones as (
    select * from {{ ref('int_account_milestones') }}
),

events as (
    select * from {{ ref('int_account_events') }}
),

rules as (
    select * from {{ ref('at_risk_rules') }}
),

progress_days as (
    select
        days.account_id,
        days.day_number,
        days.day_ends_at,
        max(milestones.reached_at) as last_progress_at
    from days
    left join milestones
        on
            days.account_id = milestones.account_id
            and days.day_ends_at > milestones.reached_at
    group by days.account_id, days.day_number, days.day_ends_at
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

final as (
    select
        account_id,
        day_number,
        day_ends_at,
        rule_name,
        rule_subject,
        cast(occurrences as integer) as occurrences
    from repeat_ranked
    where subject_rank = 1 and occurrences >= threshold
)

select * from final
