{% macro update_statistics(relation) -%}
    {#- a post-hook: the planner's row counts and value spreads for a table just built -#}
    {{ return(adapter.dispatch('update_statistics')(relation)) }}
{%- endmacro %}

{% macro postgres__update_statistics(relation) -%}
    analyze {{ relation }}
{%- endmacro %}

{% macro spark__update_statistics(relation) -%}
    analyze table {{ relation }} compute statistics
{%- endmacro %}
