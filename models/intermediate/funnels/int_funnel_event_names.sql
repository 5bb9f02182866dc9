{#- Every event name the funnel models read: the funnels' steps and their
    exclusion events. The account-level incremental funnel model recomputes an
    account when one of these events of it changes. -#}

with

funnel_steps as (
    select * from {{ ref('funnel_steps') }}
),

funnel_exclusions as (
    select * from {{ ref('funnel_exclusions') }}
),

names as (
    select event_name from funnel_steps
    union
    select event_name from funnel_exclusions
),

final as (
    select event_name
    from names
)

select * from final
