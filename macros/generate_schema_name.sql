{#- Models land in the schema their folder names (staging, intermediate,
    marts, config), not in "<target schema>_<name>": BI tools and notebooks
    read marts.kpi_activation_rate whatever the target. -#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema }}
    {%- else -%}
        {{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}
