{#- Seconds since 1970-01-01 UTC, with the fraction. -#}
{% macro epoch_seconds(instant) -%}
    {{ return(adapter.dispatch('epoch_seconds')(instant)) }}
{%- endmacro %}

{% macro postgres__epoch_seconds(instant) -%}
    extract(epoch from {{ instant }})
{%- endmacro %}

{% macro spark__epoch_seconds(instant) -%}
    {#- six decimals, as PostgreSQL's numeric: cast to text (a complaint's key hashes it), both
        engines write the same digits -#}
    cast(unix_micros({{ instant }}) / 1000000.0 as decimal(24, 6))
{%- endmacro %}
