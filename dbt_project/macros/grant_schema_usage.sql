{#- dbt `grants` give a role each relation; the role also needs usage on the schemas that hold
    them. Grants it on the schemas of this run whose name ends with `layer`. -#}
{% macro grant_schema_usage(schemas, layer, role) -%}
    {%- for schema in schemas if schema.endswith(layer) and target.type == 'postgres' -%}
        grant usage on schema {{ adapter.quote(schema) }} to {{ adapter.quote(role) }};
    {% endfor -%}
{%- endmacro %}
