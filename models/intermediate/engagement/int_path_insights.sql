{#- The configured path insights (seeds/path_insights.csv). -#}

with

paths as (
    select * from {{ ref('path_insights') }}
),

final as (
    select
        path_name,
        start_type,
        start_event,
        direction,
        path_steps,
        top_n
    from paths
)

select * from final
