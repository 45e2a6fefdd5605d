{% macro regexp_replace_all(text, pattern, replacement) -%}
    {#- every match replaced, not just the first -#}
    {{ return(adapter.dispatch('regexp_replace_all')(text, pattern, replacement)) }}
{%- endmacro %}

{% macro postgres__regexp_replace_all(text, pattern, replacement) -%}
    regexp_replace({{ text }}, {{ regex_literal(pattern) }}, '{{ replacement | replace("'", "''") }}', 'g')
{%- endmacro %}

{% macro spark__regexp_replace_all(text, pattern, replacement) -%}
    {#- Java writes a back-reference as $1 -#}
    {%- set java_replacement = modules.re.sub('\\\\([0-9])', '$\\1', replacement) -%}
    regexp_replace({{ text }}, {{ regex_literal(pattern) }}, r'{{ java_replacement }}')
{%- endmacro %}
