with

accounts as (
    select * from {{ ref('stg_accounts') }}
),

segments as (
    select * from {{ ref('segments') }}
),

{#- Accounts whose segment is missing or not configured use the `default`
    row of the segments seed, and are flagged. #}

configured as (
    select
        accounts.*,
        coalesce(accounts.segment, 'unknown') as segment_name,
        segments.segment is not null as is_segment_configured,
        coalesce(segments.segment, 'default') as config_segment
    from accounts
    left join segments
        on accounts.segment = segments.segment
),

final as (
    select
        configured.account_id,
        configured.account_name,
        configured.signed_up_at,
        cast({{ dbt.date_trunc('week', 'configured.signed_up_at') }} as date) as signup_week,
        cast({{ dbt.date_trunc('month', 'configured.signed_up_at') }} as date) as signup_month,
        configured.segment_name as segment,
        configured.is_segment_configured,
        configured.config_segment,
        segments.activation_window_days,
        segments.onboarding_period_days,
        coalesce(configured.plan, 'unknown') as plan,
        coalesce(configured.industry, 'unknown') as industry,
        coalesce(configured.company_size, 'unknown') as company_size,
        coalesce(configured.acquisition_channel, 'unknown') as acquisition_channel,
        configured.onboarding_variant
    from configured
    left join segments
        on configured.config_segment = segments.segment
)

select * from final
