{#- Free text with the phone numbers and email addresses typed into it replaced by placeholders. -#}
{% macro scrub_pii_text(column) -%}
    regexp_replace(
        regexp_replace({{ column }}, '[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}', '[email]', 'g'),
        '\+?[0-9][0-9 ()-]{8,}[0-9]', '[phone]', 'g'
    )
{%- endmacro %}
