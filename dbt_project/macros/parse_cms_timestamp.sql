{#- The web form's `submitted_at` in any of the CMS's three formats, as timestamptz:
    `20/11/2026 08:14` and `2026-11-20 08:14:03` are Lagos wall time, `2026-11-20T07:14:03Z` UTC.
    Anything else is null (and fails the not_null test downstream). -#}
{% macro parse_cms_timestamp(column) -%}
    case
        when {{ column }} ~ '^\d{2}/\d{2}/\d{4} \d{2}:\d{2}$'
            then to_timestamp({{ column }}, 'DD/MM/YYYY HH24:MI')::timestamp at time zone 'Africa/Lagos'
        when {{ column }} ~ '^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$'
            then {{ column }}::timestamp at time zone 'Africa/Lagos'
        when {{ column }} ~ '^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$'
            then {{ column }}::timestamptz
    end
{%- endmacro %}
