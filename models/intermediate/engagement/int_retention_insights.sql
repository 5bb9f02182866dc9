{#- The configured retention insights (seeds/retention_insights.csv). -#}

with

insights as (
    select * from {{ ref('retention_insights') }}
),

final as (
    select
        insight_name,
        target_event,
        target_property_key,
        target_property_value,
        returning_event,
        period,
        total_intervals,
        retention_type,
        cumulative
    from insights
)

select * from final
