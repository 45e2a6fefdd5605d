{% macro type_instant() -%}
    {#- a moment in time, stored as UTC -#}
    {{ return(adapter.dispatch('type_instant')()) }}
{%- endmacro %}

{% macro postgres__type_instant() -%}
    timestamptz
{%- endmacro %}

{% macro spark__type_instant() -%}
    timestamp
{%- endmacro %}
