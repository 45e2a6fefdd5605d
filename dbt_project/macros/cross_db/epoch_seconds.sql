{#- Seconds since 1970-01-01 UTC, with the fraction. -#}
{% macro epoch_seconds(instant) -%}
    {{ return(adapter.dispatch('epoch_seconds')(instant)) }}
{%- endmacro %}

{% macro postgres__epoch_seconds(instant) -%}
    extract(epoch from {{ instant }})
{%- endmacro %}

{% macro spark__epoch_seconds(instant) -%}
    (unix_micros({{ instant }}) / 1000000.0)
{%- endmacro %}
