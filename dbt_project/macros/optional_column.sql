{#- A column that a newer version of a source adds (schema drift): the column when the relation
    has it, else a typed null, so models build before and after the change. -#}
{% macro optional_column(relation, column_name, data_type=none) -%}
    {%- set names = adapter.get_columns_in_relation(relation) | map(attribute='name') | list -%}
    {%- if column_name in names -%}
        {{ adapter.quote(column_name) }}
    {%- else -%}
        null::{{ data_type or dbt.type_string() }}
    {%- endif -%}
{%- endmacro %}
