{% macro type_string_array() -%}
    {{ return(adapter.dispatch('type_string_array')()) }}
{%- endmacro %}

{% macro postgres__type_string_array() -%}
    text[]
{%- endmacro %}

{% macro spark__type_string_array() -%}
    array<string>
{%- endmacro %}
