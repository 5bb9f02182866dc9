{#- One row per path insight, account that has its starting point, and level
    1 .. path_steps: the account's path up to that level ("a > b > c"), or
    "(ended)" when it has fewer distinct steps; the insight's start type. -#}

{%- set max_steps = var('path_max_steps') | int %}

with

account_paths as (
    select * from {{ ref('int_account_paths') }}
),

paths as (
    select * from {{ ref('int_path_insights') }}
),

levels as (
    {%- for level in range(1, max_steps + 1) %}
        select
            account_paths.path_name,
            account_paths.account_id,
            {{ level }} as path_level,
            case
                when account_paths.step_{{ level }} is null then '(ended)'
                else {{ path_text(range(1, level + 1)) }}
            end as event_path
        from account_paths
        inner join paths
            on account_paths.path_name = paths.path_name
        where paths.path_steps >= {{ level }}
        {{ "union all" if not loop.last }}
    {%- endfor %}
),

final as (
    select
        levels.path_name,
        levels.account_id,
        levels.path_level,
        levels.event_path,
        paths.start_type,
        paths.top_n
    from levels
    inner join paths
        on levels.path_name = paths.path_name
)

select * from final
