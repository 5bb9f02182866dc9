{#- Shared metric arithmetic, written once. -#}

{#- numerator / denominator as a share in [0, 1]; null when the denominator is 0. -#}
{% macro safe_rate(numerator, denominator) -%}
    (case when {{ denominator }} > 0 then cast({{ numerator }} as double) / {{ denominator }} end)
{%- endmacro %}

{#- Count of rows where the condition holds. -#}
{% macro count_if(condition) -%}
    cast(sum(case when {{ condition }} then 1 else 0 end) as bigint)
{%- endmacro %}

{#- The end of a window of `days` days that starts at `start` (day N of an
    account is the 24-hour period starting N x 24 h after sign-up, so a
    7-day window ends exactly 7 x 24 h after it; the end is inclusive). -#}
{% macro window_end(start_expression, days_expression) -%}
    {{ dbt.dateadd('day', days_expression, start_expression) }}
{%- endmacro %}

{#- A cohort is mature for a window once the whole window has elapsed. -#}
{% macro is_window_mature(start_expression, days_expression, as_of_expression) -%}
    ({{ window_end(start_expression, days_expression) }} <= {{ as_of_expression }})
{%- endmacro %}

{#- A calendar period [start, end) (a day, week, month, year) is complete once
    the data reaches its last instant: data complete through 23:59:59.999 of
    its last day completes it (timestamps are kept to the millisecond at
    least). The reports use the same rule (orchestration/reports/content.py). -#}
{% macro is_period_complete(end_expression, as_of_expression) -%}
    ({{ end_expression }} <= {{ dbt.dateadd('millisecond', 1, as_of_expression) }})
{%- endmacro %}

{#- True when `event_at` falls inside the window (inclusive of its end); false when null. -#}
{% macro is_within_window(event_expression, start_expression, days_expression) -%}
    coalesce({{ event_expression }} <= {{ window_end(start_expression, days_expression) }}, false)
{%- endmacro %}

{#- The day number (0, 1, ...) of an instant, counted from `start` in 24-hour days. -#}
{% macro day_number(start_expression, event_expression) -%}
    cast(floor({{ elapsed_seconds(start_expression, event_expression) }} / 86400) as integer)
{%- endmacro %}

{#- The median of an aggregate group. -#}
{% macro median(expression) -%}
    {{ percentile_cont(expression, 0.5) }}
{%- endmacro %}

{#- Rows 0, 1, ..., n as a `select` with one column (portable: plain literals). -#}
{% macro integer_rows(values, column_name) -%}
    {%- for value in values %}
    select {{ value }} as {{ column_name }}{{ " union all" if not loop.last }}
    {%- endfor %}
{%- endmacro %}

{#- The rows of `relation` once per grouping level, with the columns a level
    does not group by set to 'all': a portable GROUPING SETS that lets window
    functions run per group. `levels`: lists of column names. -#}
{% macro rollup_rows(relation, columns, levels, other_columns) -%}
    {%- for level in levels %}
    select
        {%- for column in columns %}
        {% if column in level %}cast({{ column }} as {{ dbt.type_string() }}){% else %}'all'{% endif %} as {{ column }},
        {%- endfor %}
        {{ other_columns | join(', ') }}
    from {{ relation }}
    {{ "union all" if not loop.last }}
    {%- endfor %}
{%- endmacro %}

{#- The start (a timestamp) of the calendar period holding an instant, for a
    period given as a column or text ('day', 'week' from Monday, 'month'; UTC). -#}
{% macro period_start(period_expression, timestamp_expression) -%}
    (case {{ period_expression }}
        when 'day' then cast({{ dbt.date_trunc('day', timestamp_expression) }} as {{ dbt.type_timestamp() }})
        when 'week' then cast({{ dbt.date_trunc('week', timestamp_expression) }} as {{ dbt.type_timestamp() }})
        when 'month' then cast({{ dbt.date_trunc('month', timestamp_expression) }} as {{ dbt.type_timestamp() }})
    end)
{%- endmacro %}

{#- `count` periods (a column or text: day, week, month) after a period start. -#}
{% macro period_add(period_expression, count_expression, start_expression) -%}
    (case {{ period_expression }}
        when 'day' then cast({{ dbt.dateadd('day', count_expression, start_expression) }} as {{ dbt.type_timestamp() }})
        when 'week' then cast({{ dbt.dateadd('day', '7 * (' ~ count_expression ~ ')', start_expression) }} as {{ dbt.type_timestamp() }})
        when 'month' then cast({{ dbt.dateadd('month', count_expression, start_expression) }} as {{ dbt.type_timestamp() }})
    end)
{%- endmacro %}

{#- The path text "step_1 > step_2 > ..." of the columns step_<n> for the given n. -#}
{% macro path_text(step_numbers) -%}
    concat(
        {%- for step in step_numbers -%}
            account_paths.step_{{ step }}{{ ", ' > ', " if not loop.last }}
        {%- endfor -%}
    )
{%- endmacro %}
