{#- Free text with the phone numbers and email addresses typed into it replaced by placeholders. -#}
{% macro scrub_pii_text(column) -%}
    {%- set emails = '[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\\.[A-Za-z]{2,}' -%}
    {%- set phones = '\\+?[0-9][0-9 ()-]{8,}[0-9]' -%}
    {{ regexp_replace_all(regexp_replace_all(column, emails, '[email]'), phones, '[phone]') }}
{%- endmacro %}
