{% macro iso_day_of_week(day) -%}
    {#- 1 (Monday) to 7 (Sunday) -#}
    {{ return(adapter.dispatch('iso_day_of_week')(day)) }}
{%- endmacro %}

{% macro postgres__iso_day_of_week(day) -%}
    extract(isodow from {{ day }})::int
{%- endmacro %}

{% macro spark__iso_day_of_week(day) -%}
    extract(dayofweek_iso from {{ day }})::int
{%- endmacro %}
