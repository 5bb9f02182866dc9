with

variants as (
    select * from {{ ref('int_experiment_variants') }}
),

final as (
    select
        variant,
        planned_share,
        is_control,
        description
    from variants
)

select * from final
