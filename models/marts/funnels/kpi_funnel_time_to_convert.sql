{#- The distribution of the time to reach each step (from the counted
    attempt's first step), in the bins of
    var('funnel_time_to_convert_bins_seconds'): per funnel, step (from 2) and
    bin, the accounts whose time falls in the bin and their share of the
    accounts that reached the step. Every bin has a row. -#}

{%- set bounds = var('funnel_time_to_convert_bins_seconds') %}

with

steps_reached as (
    select * from {{ ref('fct_funnel_steps_reached') }}
),

bins as (
    {%- for bound in bounds + [none] %}
        select
            {{ loop.index }} as bin_number,
            {{ 'cast(null as bigint)' if loop.first else bounds[loop.index0 - 1] }} as lower_seconds_exclusive,
            {{ 'cast(null as bigint)' if bound is none else bound }} as upper_seconds_inclusive
        {{ "union all" if not loop.last }}
    {%- endfor %}
),

later_steps as (
    select *
    from steps_reached
    where step_number > 1
),

step_totals as (
    select
        funnel_name,
        step_number,
        count(*) as reached_accounts
    from later_steps
    group by funnel_name, step_number
),

binned as (
    select
        later_steps.funnel_name,
        later_steps.step_number,
        bins.bin_number,
        count(*) as bin_accounts
    from later_steps
    inner join bins
        on
            (bins.lower_seconds_exclusive is null or later_steps.seconds_from_first_step > bins.lower_seconds_exclusive)
            and (
                bins.upper_seconds_inclusive is null
                or later_steps.seconds_from_first_step <= bins.upper_seconds_inclusive
            )
    group by later_steps.funnel_name, later_steps.step_number, bins.bin_number
),

final as (
    select
        step_totals.funnel_name,
        step_totals.step_number,
        bins.bin_number,
        bins.lower_seconds_exclusive,
        bins.upper_seconds_inclusive,
        coalesce(binned.bin_accounts, 0) as bin_accounts,
        {{ safe_rate('coalesce(binned.bin_accounts, 0)', 'step_totals.reached_accounts') }} as share_of_step_accounts
    from step_totals
    cross join bins
    left join binned
        on
            step_totals.funnel_name = binned.funnel_name
            and step_totals.step_number = binned.step_number
            and bins.bin_number = binned.bin_number
)

select * from final
