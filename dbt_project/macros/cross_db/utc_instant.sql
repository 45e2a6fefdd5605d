{% macro utc_instant(wall_clock) -%}
    {#- a timestamp without a time zone, read as UTC -#}
    {{ return(adapter.dispatch('utc_instant')(wall_clock)) }}
{%- endmacro %}

{% macro postgres__utc_instant(wall_clock) -%}
    ({{ wall_clock }} at time zone 'UTC')
{%- endmacro %}

{% macro spark__utc_instant(wall_clock) -%}
    {#- a timestamp without a zone is read in the session's zone when cast: the wall clock
        moves from UTC to the session's zone first -#}
    cast(
        convert_timezone('UTC', current_timezone(), cast({{ wall_clock }} as timestamp_ntz))
        as timestamp
    )
{%- endmacro %}
