{#- Every landed row that staging could not use, with the reason. One list
    per landing table, in the same shape. -#}
{%- set landed_tables = {
    'events': 'event_id',
    'accounts': 'account_id',
    'subscriptions': 'account_id',
    'surveys': 'response_id',
} %}

with

{% for table, key in landed_tables.items() -%}
    {{ table }}_rejected as (
        select
            '{{ table }}' as source_table,
            {{ key }} as record_key,
            quarantine_reason,
            quarantine_detail,
            landing_date,
            source_file,
            source_row,
            loaded_at,
            raw_record
        from {{ ref('base_' ~ table) }}
        where quarantine_reason is not null
    ),

{% endfor -%}

final as (
    {%- for table in landed_tables %}
        select * from {{ table }}_rejected
        {%- if not loop.last %}
            union all
        {%- endif %}
    {%- endfor %}
)

select * from final
