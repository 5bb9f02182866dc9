with

accounts as (
    select * from {{ ref('base_accounts') }}
    where quarantine_reason is null
),

final as (
    select
        account_id,
        account_name,
        signed_up_at,
        segment,
        plan,
        industry,
        company_size,
        acquisition_channel,
        onboarding_variant,
        loaded_at
    from accounts
)

select * from final
