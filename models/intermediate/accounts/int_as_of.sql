{#- The instant the data describes: ONBOARDING_AS_OF when set (to replay
    history), else the latest arrival of a staged event (the data is complete
    up to there), else the latest sign-up. -#}
{%- set as_of_override = env_timestamp('ONBOARDING_AS_OF') %}

with

events as (
    select received_at from {{ ref('stg_events') }}
),

accounts as (
    select signed_up_at from {{ ref('stg_accounts') }}
),

final as (
    select
        coalesce(
            {% if as_of_override %}timestamp '{{ as_of_override }}'{% else %}null{% endif %},
            (select max(events.received_at) as latest_received_at from events),
            (select max(accounts.signed_up_at) as latest_signed_up_at from accounts)
        ) as as_of_at,
        {{ "'environment'" if as_of_override else "'latest_event'" }} as as_of_source
)

select * from final
