{% macro utc_date(instant) -%}
    {#- the UTC day of a moment, whatever the session's time zone -#}
    {{ return(adapter.dispatch('utc_date')(instant)) }}
{%- endmacro %}

{% macro postgres__utc_date(instant) -%}
    ({{ instant }} at time zone 'UTC')::date
{%- endmacro %}

{% macro spark__utc_date(instant) -%}
    {#- the session's wall clock moved to UTC's; cast(... as date) alone gives the session's day -#}
    cast(convert_timezone(current_timezone(), 'UTC', cast({{ instant }} as timestamp_ntz)) as date)
{%- endmacro %}
