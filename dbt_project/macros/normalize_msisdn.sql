{#- A Nigerian phone number in any of its shapes (+2348035550134, 2348035550134, 08035550134,
    0803 555 0134, +234-803-555-0134) as E.164 (+2348035550134); null when it is not one. -#}
{% macro normalize_msisdn(column) -%}
    {%- set digits = regexp_replace_all(column, '[^0-9]', '') -%}
    case
        when {{ matches_regex(digits, '^234[0-9]{10}$') }} then '+' || {{ digits }}
        when {{ matches_regex(digits, '^0[0-9]{10}$') }} then '+234' || substr({{ digits }}, 2)
        when {{ matches_regex(digits, '^[789][0-9]{9}$') }} then '+234' || {{ digits }}
    end
{%- endmacro %}
