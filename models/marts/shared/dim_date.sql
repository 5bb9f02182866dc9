{#- One row per calendar day: the time spine MetricFlow joins metrics to
    (models/semantic). Covers every sign-up and revenue month this project
    serves; widen the range here if your data starts earlier. -#}

with

days as (
    {{ dbt.date_spine('day', "cast('2015-01-01' as date)", "cast('2041-01-01' as date)") }}
),

final as (
    select cast(date_day as date) as date_day
    from days
)

select * from final
