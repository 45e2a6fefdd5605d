{#- The time from start_at to end_at in seconds, minutes or hours (double precision); null when
    either is null. -#}
{% macro elapsed(unit, start_at, end_at) -%}
    {%- set seconds = {'seconds': 1, 'minutes': 60, 'hours': 3600}[unit] -%}
    {{ return(adapter.dispatch('elapsed')(seconds, start_at, end_at)) }}
{%- endmacro %}

{% macro postgres__elapsed(seconds, start_at, end_at) -%}
    (date_part('epoch', {{ end_at }} - {{ start_at }}) / {{ seconds }}.0)
{%- endmacro %}

{% macro spark__elapsed(seconds, start_at, end_at) -%}
    (cast(unix_micros({{ end_at }}) - unix_micros({{ start_at }}) as double) / {{ seconds * 1000000 }})
{%- endmacro %}
