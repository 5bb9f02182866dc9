{#- A seed column added in a later version of the project, read so that a seed
    file written before it still builds: the column when the seed's table has
    it, else `default` (a SQL expression) in its place. Looked up when the
    model runs (the seeds are loaded by then); while dbt only parses or
    compiles against a warehouse without the seed, the column is named. -#}
{% macro optional_seed_column(seed_relation, column, default) -%}
    {%- if execute -%}
        {%- set columns = adapter.get_columns_in_relation(seed_relation) | map(attribute='name') | map('lower') | list -%}
        {%- if columns and column | lower not in columns -%}
            {{- return(default) -}}
        {%- endif -%}
    {%- endif -%}
    {{- return(column) -}}
{%- endmacro %}
