{#- Nothing is lost between landing and staging: per landing table, the raw
    rows equal the staged rows plus the quarantined rows. Returns the tables
    where they differ. -#}
{{ config(meta={'dagster': {'ref': {'name': 'stg_quarantine'}}}) }}
{%- set landed_tables = ['events', 'accounts', 'subscriptions', 'surveys'] %}

with

counted as (
    {%- for table in landed_tables %}
        select
            '{{ table }}' as source_table,
            (select count(*) as row_count from {{ source('raw', table) }}) as landed_rows,
            (select count(*) as row_count from {{ ref('stg_' ~ table) }}) as staged_rows,
            (
                select count(*) as row_count from {{ ref('stg_quarantine') }}
                where source_table = '{{ table }}'
            ) as quarantined_rows
        {%- if not loop.last %}
            union all
        {%- endif %}
    {%- endfor %}
),

final as (
    select * from counted
    where landed_rows <> staged_rows + quarantined_rows
)

select * from final
