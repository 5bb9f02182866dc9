{#- Activation-milestone discovery, per segment ('all' for every segment) and
    candidate action: among accounts whose 6-month outcome is known, the share
    of retained accounts that did it in their first 30 days, the share of
    churned ones, the lift, the >80% rule; the share of all accounts past
    their onboarding period that did it within it (reachable); candidates
    ranked by separation (retained share - churned share). -#}
{%- set levels = [['segment'], []] %}

with

candidates as (
    select * from {{ ref('fct_account_candidate_actions') }}
),

rolled as (
    {{ rollup_rows('candidates', ['segment'], levels,
                   ['account_id', 'candidate_name', 'action_name', 'min_count', 'did_in_discovery_window',
                    'did_in_onboarding', 'is_retained', 'is_retention_mature', 'is_onboarding_mature']) }}
),

shares as (
    select
        segment,
        candidate_name,
        action_name,
        min_count,
        {{ count_if('is_retention_mature and is_retained') }} as retained_accounts,
        {{ count_if('is_retention_mature and not is_retained') }} as churned_accounts,
        {{ count_if('is_retention_mature and is_retained and did_in_discovery_window') }} as retained_did_accounts,
        {{ count_if('is_retention_mature and not is_retained and did_in_discovery_window') }} as churned_did_accounts,
        {{ count_if('is_onboarding_mature') }} as onboarding_mature_accounts,
        {{ count_if('is_onboarding_mature and did_in_onboarding') }} as reached_in_onboarding_accounts
    from rolled
    group by segment, candidate_name, action_name, min_count
),

rates as (
    select
        shares.*,
        {{ safe_rate('retained_did_accounts', 'retained_accounts') }} as retained_share,
        {{ safe_rate('churned_did_accounts', 'churned_accounts') }} as churned_share,
        {{ safe_rate('reached_in_onboarding_accounts', 'onboarding_mature_accounts') }} as reachable_share
    from shares
),

scored as (
    select
        rates.*,
        rates.retained_share - rates.churned_share as separation,
        row_number() over (
            partition by rates.segment
            order by
                rates.retained_share - rates.churned_share desc nulls last,
                rates.retained_share desc nulls last,
                rates.candidate_name asc
        ) as separation_rank
    from rates
),

final as (
    select
        segment,
        candidate_name,
        action_name,
        min_count,
        retained_accounts,
        churned_accounts,
        retained_did_accounts,
        churned_did_accounts,
        retained_share,
        churned_share,
        retained_share / nullif(churned_share, 0) as lift,
        separation,
        coalesce(retained_share > 0.8, false) as meets_80_percent_rule,
        onboarding_mature_accounts,
        reached_in_onboarding_accounts,
        reachable_share,
        case when separation is not null then separation_rank end as candidate_rank
    from scored
)

select * from final
