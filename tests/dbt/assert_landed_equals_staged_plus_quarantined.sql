{#- Nothing is lost between landing and staging: per landing table, the raw
    rows equal the staged rows plus the quarantined rows. Returns the tables
    where they differ. -#}
{{ config(meta={'dagster': {'ref': {'name': 'stg_quarantine'}}}) }}

with

landed as (
    select 'events' as source_table, count(*) as landed_rows from {{ source('raw', 'events') }}
    union all
    select 'accounts', count(*) from {{ source('raw', 'accounts') }}
    union all
    select 'subscriptions', count(*) from {{ source('raw', 'subscriptions') }}
    union all
    select 'surveys', count(*) from {{ source('raw', 'surveys') }}
),

staged as (
    select 'events' as source_table, count(*) as staged_rows from {{ ref('stg_events') }}
    union all
    select 'accounts', count(*) from {{ ref('stg_accounts') }}
    union all
    select 'subscriptions', count(*) from {{ ref('stg_subscriptions') }}
    union all
    select 'surveys', count(*) from {{ ref('stg_surveys') }}
),

quarantined as (
    select
        source_table,
        count(*) as quarantined_rows
    from {{ ref('stg_quarantine') }}
    group by source_table
),

final as (
    select
        landed.source_table,
        landed.landed_rows,
        coalesce(staged.staged_rows, 0) as staged_rows,
        coalesce(quarantined.quarantined_rows, 0) as quarantined_rows
    from landed
    left join staged on landed.source_table = staged.source_table
    left join quarantined on landed.source_table = quarantined.source_table
)

select * from final
where landed_rows <> staged_rows + quarantined_rows
