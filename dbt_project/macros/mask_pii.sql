{#- A stable, salted SHA-256 of a personal value: equal inputs give equal hashes, so masked
    keys still join across sources, but the value itself cannot be read back. The salt is read
    from its private table when the query runs (once per query). -#}
{% macro mask_pii(column) -%}
    case
        when {{ column }} is not null and {{ column }} <> ''
            then {{ sha256_hex(
                "(select pii_salt.salt from " ~ source('private', 'pii_salt') ~ " as pii_salt)"
                ~ " || " ~ column
            ) }}
    end
{%- endmacro %}
