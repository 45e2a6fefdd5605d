{#- A Nigerian phone number in any of its shapes (+2348035550134, 2348035550134, 08035550134,
    0803 555 0134, +234-803-555-0134) as E.164 (+2348035550134); null when it is not one. -#}
{% macro normalize_msisdn(column) -%}
    case
        when regexp_replace({{ column }}, '[^0-9]', '', 'g') ~ '^234[0-9]{10}$'
            then '+' || regexp_replace({{ column }}, '[^0-9]', '', 'g')
        when regexp_replace({{ column }}, '[^0-9]', '', 'g') ~ '^0[0-9]{10}$'
            then '+234' || substr(regexp_replace({{ column }}, '[^0-9]', '', 'g'), 2)
        when regexp_replace({{ column }}, '[^0-9]', '', 'g') ~ '^[789][0-9]{9}$'
            then '+234' || regexp_replace({{ column }}, '[^0-9]', '', 'g')
    end
{%- endmacro %}
