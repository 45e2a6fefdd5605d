{% macro sha256_hex(text) -%}
    {#- the SHA-256 of a text's UTF-8 bytes, as 64 hex digits -#}
    {{ return(adapter.dispatch('sha256_hex')(text)) }}
{%- endmacro %}

{% macro postgres__sha256_hex(text) -%}
    encode(sha256(convert_to({{ text }}, 'UTF8')), 'hex')
{%- endmacro %}

{% macro spark__sha256_hex(text) -%}
    sha2({{ text }}, 256)
{%- endmacro %}
