{#- dbt's own macro, extended: a failing data test on a seed names its
    offending rows in the log ("relationships_metric_targets_segment... on
    seed metric_targets fails on: (from_field='smb'); ..."), not only their
    count, so that a configuration error says what to fix. Seeds are small:
    the extra query is cheap; tests on models keep dbt's behaviour (and their
    stored failures). -#}
{% macro get_test_sql(main_sql, fail_calc, warn_if, error_if, limit) -%}
    {%- set attached = (model.get('attached_node') or '') if model is mapping else '' -%}
    {%- set meta = ((model.get('config') or {}).get('meta') or {}) if model is mapping else {} -%}
    {%- if execute and attached.startswith('seed.') -%}
        {%- do log_offending_rows(main_sql, ' on seed ' ~ attached.split('.')[-1]) -%}
    {%- elif execute and meta.get('log_failing_rows') -%}
        {#- A test that asks for it (config meta log_failing_rows): a singular
            test on the seeds that also reads models. -#}
        {%- do log_offending_rows(main_sql, '') -%}
    {%- endif -%}
    {{ adapter.dispatch('get_test_sql', 'dbt')(main_sql, fail_calc, warn_if, error_if, limit) }}
{%- endmacro %}

{#- Log up to 10 rows of a test's failing rows, each as (column=value, ...);
    `on` says what the test is on (' on seed milestones', or ''). -#}
{% macro log_offending_rows(main_sql, on) -%}
    {%- set found = run_query('select * from (\n' ~ main_sql ~ '\n) as offending limit 11') -%}
    {%- if found.rows | length > 0 -%}
        {%- set shown = [] -%}
        {%- for row in found.rows[:10] -%}
            {%- set cells = [] -%}
            {%- for name in found.column_names -%}
                {%- set value = row[name] -%}
                {%- do cells.append(name ~ '=' ~ (("'" ~ value ~ "'") if value is string else value)) -%}
            {%- endfor -%}
            {%- do shown.append('(' ~ cells | join(', ') ~ ')') -%}
        {%- endfor -%}
        {%- set more = ' and more' if found.rows | length > 10 else '' -%}
        {%- do log(model.name ~ on ~ ' fails on: ' ~ shown | join('; ') ~ more, info=true) -%}
    {%- endif -%}
{%- endmacro %}
