{#- The configured arms of the onboarding experiment, shares normalised to sum to 1. -#}

with

variants as (
    select * from {{ ref('experiment_variants') }}
),

final as (
    select
        variant,
        planned_share / sum(planned_share) over () as planned_share,
        is_control,
        description
    from variants
)

select * from final
