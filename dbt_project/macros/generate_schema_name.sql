{#- prod writes to the plain layer names (staging, marts, ...); every other target prefixes them
    with its own schema (dev_staging, ci_marts, ...), so dev and prod never collide. -#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema }}
    {%- elif target.name in ('prod', 'spark_prod') -%}
        {{ custom_schema_name | trim }}
    {%- else -%}
        {{ target.schema }}_{{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}
