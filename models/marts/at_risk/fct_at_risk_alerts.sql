{#- One alert per account and day: the days an at-risk rule first fires for
    the account (int_account_alert_days), listing every rule firing that
    day, with its playbook and status page, ranked in its owner's daily
    queue by how likely the account is to miss activation (1 - the
    calibrated propensity of that day, predict.fct_account_propensity),
    capped per segment and owner (seed alert_caps: the overflow is kept,
    with its status), and followed up: outreach after it, rescue, whether
    the account missed activation after all (precision). -#}

with

alert_days as (
    select * from {{ ref('int_account_alert_days') }}
),

accounts as (
    select * from {{ ref('int_accounts') }}
),

events as (
    select * from {{ ref('int_account_events') }}
),

as_of as (
    select as_of_at from {{ ref('int_as_of') }}
),

propensity as (
    select * from {{ optional_source('predict', 'fct_account_propensity') }}
),

activation as (
    select * from {{ ref('int_account_activation') }}
),

outreach as (
    select
        account_id,
        occurred_at
    from events
    where event_category = 'outreach'
),

scored as (
    select
        alert_days.*,
        accounts.segment,
        accounts.config_segment,
        accounts.signed_up_at,
        accounts.activation_window_days,
        accounts.onboarding_period_days,
        activation.activated_at,
        activation.is_activated_in_window,
        activation.is_activation_window_mature,
        1 - propensity.p_activate_in_window as miss_likelihood,
        case
            when propensity.p_activate_in_window is not null then 'propensity_model'
            when propensity.account_id is not null then propensity.activation_reason
            else 'not_scored: the propensity step has not run on this data'
        end as likelihood_source
    from alert_days
    inner join accounts
        on alert_days.account_id = accounts.account_id
    left join activation
        on alert_days.account_id = activation.account_id
    left join propensity
        on alert_days.account_id = propensity.account_id and alert_days.day_number = propensity.day_number
),

{#- The owner's queue of the day: most likely to miss activation first
    (unscored alerts last, then more rules first). #}

queued as (
    select
        scored.*,
        cast(scored.day_ends_at as date) as alerted_on,
        row_number() over (
            partition by cast(scored.day_ends_at as date), scored.config_segment, scored.owner_role
            order by
                scored.miss_likelihood desc nulls last,
                scored.rule_count desc,
                scored.account_id asc
        ) as queue_rank
    from scored
),

first_outreach as (
    select
        queued.account_id,
        queued.day_number,
        min(outreach.occurred_at) as first_outreach_at
    from queued
    inner join outreach
        on
            queued.account_id = outreach.account_id
            and queued.day_ends_at <= outreach.occurred_at
            and (queued.activated_at is null or queued.activated_at > outreach.occurred_at)
    group by queued.account_id, queued.day_number
),

measured as (
    select
        queued.*,
        first_outreach.first_outreach_at,
        {{ elapsed_seconds('queued.day_ends_at', 'first_outreach.first_outreach_at') }} / 3600.0
            as hours_to_outreach
    from queued
    left join first_outreach
        on queued.account_id = first_outreach.account_id and queued.day_number = first_outreach.day_number
),

final as (
    select
        {{ dbt.concat(["measured.account_id", "':'", "cast(measured.alerted_on as " ~ dbt.type_string() ~ ")"]) }}
            as alert_id,
        measured.account_id,
        measured.segment,
        measured.config_segment,
        measured.signed_up_at,
        measured.day_number as alert_day_number,
        measured.day_ends_at as alerted_at,
        measured.alerted_on,
        measured.primary_rule_name as rule_name,
        measured.rule_names,
        measured.new_rule_names,
        measured.rule_count,
        measured.new_rule_count,
        measured.detail,
        measured.is_new_overdue,
        measured.is_new_no_login,
        measured.is_new_help,
        measured.is_new_failures,
        measured.miss_likelihood,
        measured.likelihood_source,
        measured.playbook_id,
        measured.owner_role,
        measured.playbook_action,
        measured.expected_within_hours,
        measured.success_criterion,
        measured.measurement_window_days,
        measured.daily_cap,
        cast(measured.queue_rank as integer) as queue_rank,
        measured.queue_rank <= measured.daily_cap as is_within_cap,
        case when measured.queue_rank <= measured.daily_cap then 'send' else 'overflow' end as queue_status,
        {{ dbt.concat(["'accounts/'", dbt.hash('measured.account_id'), "'.html'"]) }} as status_page,
        measured.first_outreach_at,
        measured.hours_to_outreach,
        case
            when measured.first_outreach_at is null then 'no_outreach'
            when measured.hours_to_outreach <= 24 then 'within_24h'
            when measured.hours_to_outreach <= 72 then '1_to_3_days'
            else 'later'
        end as outreach_delay_bucket,
        coalesce(measured.hours_to_outreach <= measured.expected_within_hours, false) as is_outreach_on_time,
        measured.activated_at,
        measured.activated_at is not null as is_rescued,
        {{ elapsed_seconds('measured.day_ends_at', 'measured.activated_at') }} / 86400.0 as days_to_rescue,
        measured.activated_at is null
        and {{ dbt.dateadd('day', 'measured.onboarding_period_days', 'measured.signed_up_at') }}
        > as_of.as_of_at as is_onboarding_open,
        {{ is_window_mature('measured.day_ends_at', 'measured.measurement_window_days', 'as_of.as_of_at') }}
            as is_measurement_window_over,
        {{ is_within_window('measured.activated_at', 'measured.day_ends_at', 'measured.measurement_window_days') }}
            as is_rescued_in_measurement_window,
        measured.is_activation_window_mature,
        case when measured.is_activation_window_mature then not measured.is_activated_in_window end
            as missed_activation
    from measured
    cross join as_of
)

select * from final
