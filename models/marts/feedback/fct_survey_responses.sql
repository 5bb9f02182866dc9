with

responses as (
    select * from {{ ref('int_survey_responses') }}
),

final as (
    select
        response_id,
        account_id,
        survey_type,
        score,
        submitted_at,
        signup_month,
        segment,
        is_after_activation
    from responses
)

select * from final
