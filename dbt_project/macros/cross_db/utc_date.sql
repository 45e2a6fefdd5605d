{% macro utc_date(instant) -%}
    {#- the UTC day of a moment, whatever the session's time zone -#}
    {{ return(adapter.dispatch('utc_date')(instant)) }}
{%- endmacro %}

{% macro postgres__utc_date(instant) -%}
    ({{ instant }} at time zone 'UTC')::date
{%- endmacro %}

{% macro spark__utc_date(instant) -%}
    to_date(from_utc_timestamp({{ instant }}, 'UTC'))
{%- endmacro %}
