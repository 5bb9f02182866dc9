{#- Survey responses of known accounts from their sign-up on (a response dated
    before the sign-up is left out), with whether the account had activated
    by then (activated at or before the response: int_account_activation). -#}

with

responses as (
    select * from {{ ref('stg_surveys') }}
),

accounts as (
    select * from {{ ref('int_accounts') }}
),

activations as (
    select
        account_id,
        activated_at
    from {{ ref('int_account_activation') }}
),

final as (
    select
        responses.response_id,
        responses.account_id,
        responses.survey_type,
        responses.score,
        responses.submitted_at,
        accounts.signup_month,
        accounts.segment,
        coalesce(activations.activated_at <= responses.submitted_at, false) as is_after_activation
    from responses
    inner join accounts
        on responses.account_id = accounts.account_id
    left join activations
        on responses.account_id = activations.account_id
    where responses.submitted_at >= accounts.signed_up_at
)

select * from final
