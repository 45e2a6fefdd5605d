{% macro array_to_text(array, separator) -%}
    {#- the elements of a text array, joined by `separator` (a SQL string) -#}
    {{ return(adapter.dispatch('array_to_text')(array, separator)) }}
{%- endmacro %}

{% macro postgres__array_to_text(array, separator) -%}
    array_to_string({{ array }}, {{ separator }})
{%- endmacro %}

{% macro spark__array_to_text(array, separator) -%}
    array_join({{ array }}, {{ separator }})
{%- endmacro %}
