{% macro day_series(first_day, last_day) -%}
    {#- a query of one row per day from first_day to last_day, in a column `date_day` -#}
    {{ return(adapter.dispatch('day_series')(first_day, last_day)) }}
{%- endmacro %}

{% macro postgres__day_series(first_day, last_day) -%}
    select generate_series({{ first_day }}, {{ last_day }}, interval '1 day')::date as date_day
{%- endmacro %}

{% macro spark__day_series(first_day, last_day) -%}
    select explode(sequence({{ first_day }}, {{ last_day }}, interval '1 day')) as date_day
{%- endmacro %}
