{#- Patterns and replacements are written for PostgreSQL (POSIX classes such as [:punct:],
    back-references as \1) as Jinja strings; each engine gets a literal it reads verbatim, in
    its own regex dialect. -#}
{% macro regex_literal(pattern) -%}
    {{ return(adapter.dispatch('regex_literal')(pattern)) }}
{%- endmacro %}

{% macro postgres__regex_literal(pattern) -%}
    '{{ pattern | replace("'", "''") }}'
{%- endmacro %}

{% macro spark__regex_literal(pattern) -%}
    {#- a raw literal (Spark would read backslashes as escapes); Java's classes, like
        PostgreSQL's in the warehouse's C locale, hold ASCII characters only -#}
    {%- set java = pattern | replace('[:punct:]', '\\p{Punct}') | replace('[:space:]', '\\s') -%}
    {%- if "'" in java -%}
        r"{{ java }}"
    {%- else -%}
        r'{{ java }}'
    {%- endif -%}
{%- endmacro %}
