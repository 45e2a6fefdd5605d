{#- A stable, salted SHA-256 of a personal value: equal inputs give equal hashes, so masked
    keys still join across sources, but the value itself cannot be read back. -#}
{% macro mask_pii(column) -%}
    case
        when {{ column }} is not null and {{ column }} <> ''
            then encode(sha256(convert_to('{{ var("pii_salt") }}' || {{ column }}, 'UTF8')), 'hex')
    end
{%- endmacro %}
