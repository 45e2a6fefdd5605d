{% macro regex_substring(text, pattern) -%}
    {#- the first part of `text` that matches `pattern` (written as for matches_regex), or null -#}
    {{ return(adapter.dispatch('regex_substring')(text, pattern)) }}
{%- endmacro %}

{% macro postgres__regex_substring(text, pattern) -%}
    substring({{ text }} from {{ regex_literal(pattern) }})
{%- endmacro %}

{% macro spark__regex_substring(text, pattern) -%}
    {#- regexp_extract gives '' where nothing matches -#}
    nullif(regexp_extract({{ text }}, {{ regex_literal(pattern) }}, 0), '')
{%- endmacro %}
