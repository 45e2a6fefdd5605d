{% macro utc_instant(wall_clock) -%}
    {#- a timestamp without a time zone, read as UTC -#}
    {{ return(adapter.dispatch('utc_instant')(wall_clock)) }}
{%- endmacro %}

{% macro postgres__utc_instant(wall_clock) -%}
    ({{ wall_clock }} at time zone 'UTC')
{%- endmacro %}

{% macro spark__utc_instant(wall_clock) -%}
    to_utc_timestamp({{ wall_clock }}, 'UTC')
{%- endmacro %}
