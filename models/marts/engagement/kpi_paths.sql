{#- Path insights: per insight and level, the top_n most frequent paths, the
    rest as "other" and the accounts whose path ended before the level as
    "(ended)", each with its share of the accounts that have the starting
    point (so each level sums to 1). -#}

with

path_levels as (
    select * from {{ ref('fct_account_path_levels') }}
),

counted as (
    select
        -- start_type and top_n are attributes of the insight (one value per path_name).
        path_name,
        start_type,
        top_n,
        path_level,
        event_path,
        count(*) as path_accounts
    from path_levels
    group by path_name, start_type, top_n, path_level, event_path
),

ranked as (
    select
        counted.*,
        cast(sum(counted.path_accounts) over (partition by counted.path_name, counted.path_level) as bigint)
            as starting_accounts,
        row_number() over (
            partition by counted.path_name, counted.path_level
            order by
                case when counted.event_path = '(ended)' then 1 else 0 end asc,
                counted.path_accounts desc,
                counted.event_path asc
        ) as path_rank
    from counted
),

bucketed as (
    select
        path_name,
        start_type,
        path_level,
        path_accounts,
        starting_accounts,
        case
            when event_path = '(ended)' then '(ended)'
            when path_rank <= top_n then event_path
            else 'other'
        end as bucketed_path,
        case
            when event_path = '(ended)' then top_n + 2
            when path_rank <= top_n then path_rank
            else top_n + 1
        end as path_rank
    from ranked
),

final as (
    select
        path_name,
        start_type,
        path_level,
        bucketed_path as event_path,
        path_rank,
        cast(sum(path_accounts) as bigint) as path_accounts,
        max(starting_accounts) as starting_accounts,
        {{ safe_rate('sum(path_accounts)', 'max(starting_accounts)') }} as share_of_accounts
    from bucketed
    group by path_name, start_type, path_level, bucketed_path, path_rank
)

select * from final
