{#- The seconds in an interval written as text ('60 minutes', '7 days'). -#}
{% macro interval_seconds(interval_text) -%}
    {{ return(adapter.dispatch('interval_seconds')(interval_text)) }}
{%- endmacro %}

{% macro postgres__interval_seconds(interval_text) -%}
    extract(epoch from interval '{{ interval_text }}')
{%- endmacro %}

{% macro spark__interval_seconds(interval_text) -%}
    (unix_micros(timestamp '1970-01-01 00:00:00Z' + interval '{{ interval_text }}') / 1000000.0)
{%- endmacro %}
