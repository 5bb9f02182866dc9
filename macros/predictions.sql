{#- A table a Python asset writes (schema `predict`, orchestration/predict/),
    read by a dbt model: the relation when it exists, else an empty relation
    with the columns and types of its source yml (models/marts/predict/
    _predictions.yml). So plain `dbt build` works before the Python step has
    ever run (the predictions are then absent, and the models say so: their
    columns are null with a reason), and the engines agree (nothing is written
    to Spark by the Python step). Lineage still shows the source. -#}
{% macro optional_source(source_name, table_name) -%}
    {%- set relation = source(source_name, table_name) -%}
    {%- if execute and model.resource_type != 'unit_test' -%}
        {%- set found = adapter.get_relation(
            database=relation.database, schema=relation.schema, identifier=relation.identifier) -%}
        {%- if found is none -%}
            {%- set node = graph.sources.values() | selectattr('source_name', 'equalto', source_name)
                | selectattr('name', 'equalto', table_name) | first -%}
            {%- set columns = [] -%}
            {%- for column in node.columns.values() -%}
                {%- do columns.append('cast(null as ' ~ column.data_type ~ ') as ' ~ column.name) -%}
            {%- endfor -%}
            {{ return('(select ' ~ columns | join(', ') ~ ' where 1 = 0) as absent_' ~ table_name) }}
        {%- endif -%}
    {%- endif -%}
    {{ return(relation) }}
{%- endmacro %}
