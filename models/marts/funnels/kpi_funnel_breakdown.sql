{#- kpi_funnel_steps broken down by each account attribute of
    var('funnel_breakdown_attributes'): per funnel, attribute, value and step,
    the accounts whose counted attempt reached the step, conversion against
    step 1 and against the previous step, and the median time from the
    attempt's first step. Every step has a row (0 accounts when none reached
    it). -#}

{%- set attributes = var('funnel_breakdown_attributes') %}

with

steps_reached as (
    select * from {{ ref('fct_funnel_steps_reached') }}
),

progress as (
    select * from {{ ref('fct_funnel_progress') }}
),

breakdown_values as (
    {%- for attribute in attributes %}
        select
            funnel_name,
            account_id,
            steps_in_funnel,
            '{{ attribute }}' as breakdown_attribute,
            coalesce(cast({{ adapter.quote(attribute) }} as {{ dbt.type_string() }}), 'unknown') as breakdown_value
        from progress
        {{ "union all" if not loop.last }}
    {%- endfor %}
),

step_numbers as (
    {{ integer_rows(range(1, var('funnel_max_steps') + 1), 'step_number') }}
),

groups as (
    select distinct
        funnel_name,
        breakdown_attribute,
        breakdown_value,
        steps_in_funnel
    from breakdown_values
),

group_steps as (
    select
        groups.funnel_name,
        groups.breakdown_attribute,
        groups.breakdown_value,
        step_numbers.step_number
    from groups
    inner join step_numbers
        on groups.steps_in_funnel >= step_numbers.step_number
),

reached as (
    select
        breakdown_values.funnel_name,
        breakdown_values.breakdown_attribute,
        breakdown_values.breakdown_value,
        steps_reached.step_number,
        count(*) as reached_accounts,
        {{ median('steps_reached.seconds_from_first_step') }} as median_seconds_to_step
    from steps_reached
    inner join breakdown_values
        on
            steps_reached.funnel_name = breakdown_values.funnel_name
            and steps_reached.account_id = breakdown_values.account_id
    group by
        breakdown_values.funnel_name,
        breakdown_values.breakdown_attribute,
        breakdown_values.breakdown_value,
        steps_reached.step_number
),

steps as (
    select
        group_steps.funnel_name,
        group_steps.breakdown_attribute,
        group_steps.breakdown_value,
        group_steps.step_number,
        coalesce(reached.reached_accounts, 0) as reached_accounts,
        reached.median_seconds_to_step
    from group_steps
    left join reached
        on
            group_steps.funnel_name = reached.funnel_name
            and group_steps.breakdown_attribute = reached.breakdown_attribute
            and group_steps.breakdown_value = reached.breakdown_value
            and group_steps.step_number = reached.step_number
),

compared as (
    select
        steps.*,
        first_value(steps.reached_accounts) over breakdown_order as step_1_accounts,
        lag(steps.reached_accounts) over breakdown_order as previous_step_accounts
    from steps
    window breakdown_order as (
        partition by steps.funnel_name, steps.breakdown_attribute, steps.breakdown_value
        order by steps.step_number
    )
),

final as (
    select
        funnel_name,
        breakdown_attribute,
        breakdown_value,
        step_number,
        reached_accounts,
        {{ safe_rate('reached_accounts', 'step_1_accounts') }} as conversion_from_step_1,
        {{ safe_rate('reached_accounts', 'coalesce(previous_step_accounts, reached_accounts)') }}
            as conversion_from_previous_step,
        median_seconds_to_step
    from compared
)

select * from final
