with

surveys as (
    select * from {{ ref('base_surveys') }}
    where quarantine_reason is null
),

final as (
    select
        response_id,
        account_id,
        user_id,
        survey_type,
        score,
        comment,
        submitted_at,
        loaded_at
    from surveys
)

select * from final
