{% macro matches_regex(text, pattern) -%}
    {{ return(adapter.dispatch('matches_regex')(text, pattern)) }}
{%- endmacro %}

{% macro postgres__matches_regex(text, pattern) -%}
    ({{ text }} ~ {{ regex_literal(pattern) }})
{%- endmacro %}

{% macro spark__matches_regex(text, pattern) -%}
    ({{ text }} rlike {{ regex_literal(pattern) }})
{%- endmacro %}
