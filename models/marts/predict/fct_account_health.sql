{#- The health (engagement) score of each account on each complete day of its
    onboarding period, 0-100, and its components, each 0-1 (1 = healthy):

    usage_breadth       distinct core actions used so far / core actions in the taxonomy
    usage_depth         active days in the last 7 days (fewer when younger) / those days
    milestone_progress  milestones reached by the day's end / the segment's milestones
    sentiment           (average VADER compound of the account's survey comments so far + 1) / 2
    support_load        1 - min(1, support tickets and failed actions in the last 7 days / 10)

    score = 100 x the weighted mean of the components present, weights from
    the seed health_weights. A component that cannot be computed (sentiment
    without any comment, or before the sentiment step ran) is left out of the
    mean and named in missing_components: absent is not zero. -#}

with

activity as (
    select * from {{ ref('int_account_day_activity') }}
),

accounts as (
    select * from {{ ref('int_accounts') }}
),

taxonomy as (
    select * from {{ ref('event_taxonomy') }}
),

weights as (
    select * from {{ ref('health_weights') }}
),

sentiment as (
    select * from {{ optional_source('predict', 'survey_sentiment') }}
),

core_actions as (
    select {{ count_if("category = 'core_action'") }} as core_action_count
    from taxonomy
),

pivoted_weights as (
    select
        max(case when component = 'usage_breadth' then weight end) as w_breadth,
        max(case when component = 'usage_depth' then weight end) as w_depth,
        max(case when component = 'milestone_progress' then weight end) as w_progress,
        max(case when component = 'sentiment' then weight end) as w_sentiment,
        max(case when component = 'support_load' then weight end) as w_support
    from weights
),

day_sentiment as (
    select
        activity.account_id,
        activity.day_number,
        avg(sentiment.sentiment_compound) as sentiment_compound
    from activity
    inner join sentiment
        on activity.account_id = sentiment.account_id and activity.day_ends_at > sentiment.submitted_at
    group by activity.account_id, activity.day_number
),

components as (
    select
        activity.account_id,
        activity.day_number,
        activity.day_ends_at,
        activity.is_activated,
        least(
            cast(1 as double), {{ safe_rate('activity.core_action_types_to_date', 'core_actions.core_action_count') }}
        ) as usage_breadth,
        cast(activity.active_days_last_7 as double) / least(7, activity.day_number + 1) as usage_depth,
        {{ safe_rate('activity.milestones_reached', 'activity.milestones_total') }} as milestone_progress,
        (day_sentiment.sentiment_compound + 1) / 2 as sentiment,
        1 - least(cast(1 as double), cast(activity.friction_events_last_7 as double) / 10) as support_load
    from activity
    cross join core_actions
    left join day_sentiment
        on activity.account_id = day_sentiment.account_id and activity.day_number = day_sentiment.day_number
),

scored as (
    select
        components.*,
        (
            coalesce(components.usage_breadth * pivoted_weights.w_breadth, 0)
            + coalesce(components.usage_depth * pivoted_weights.w_depth, 0)
            + coalesce(components.milestone_progress * pivoted_weights.w_progress, 0)
            + coalesce(components.sentiment * pivoted_weights.w_sentiment, 0)
            + coalesce(components.support_load * pivoted_weights.w_support, 0)
        ) as weighted_sum,
        (
            case when components.usage_breadth is not null then coalesce(pivoted_weights.w_breadth, 0) else 0 end
            + case when components.usage_depth is not null then coalesce(pivoted_weights.w_depth, 0) else 0 end
            + case
                when components.milestone_progress is not null then coalesce(pivoted_weights.w_progress, 0) else 0
            end
            + case when components.sentiment is not null then coalesce(pivoted_weights.w_sentiment, 0) else 0 end
            + case when components.support_load is not null then coalesce(pivoted_weights.w_support, 0) else 0 end
        ) as weight_present
    from components
    cross join pivoted_weights
),

final as (
    select
        scored.account_id,
        accounts.segment,
        accounts.config_segment,
        accounts.signed_up_at,
        scored.day_number,
        scored.day_ends_at,
        scored.is_activated,
        scored.usage_breadth,
        scored.usage_depth,
        scored.milestone_progress,
        scored.sentiment,
        scored.support_load,
        case when scored.weight_present > 0 then 100 * scored.weighted_sum / scored.weight_present end
            as health_score,
        {{ dbt.concat([
            "case when scored.usage_breadth is null then 'usage_breadth ' else '' end",
            "case when scored.milestone_progress is null then 'milestone_progress ' else '' end",
            "case when scored.sentiment is null then 'sentiment' else '' end"
        ]) }} as missing_components
    from scored
    inner join accounts
        on scored.account_id = accounts.account_id
)

select * from final
