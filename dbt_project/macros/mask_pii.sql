{#- A stable, salted SHA-256 of a personal value: equal inputs give equal hashes, so masked
    keys still join across sources, but the value itself cannot be read back. -#}
{% macro mask_pii(column) -%}
    {%- if target.name == 'prod' and var('pii_salt') == 'development-only-salt' -%}
        {{ exceptions.raise_compiler_error('set BEEJAN_PII_SALT to a secret salt for the prod target') }}
    {%- endif -%}
    case
        when {{ column }} is not null and {{ column }} <> ''
            then encode(sha256(convert_to('{{ var("pii_salt") }}' || {{ column }}, 'UTF8')), 'hex')
    end
{%- endmacro %}
