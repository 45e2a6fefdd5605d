{% macro ascii_lower(text) -%}
    {#- a text with its ASCII letters in lower case and every other character as it was
        (É stays É: the text models' words are ASCII, other letters are split off alone) -#}
    {{ return(adapter.dispatch('ascii_lower')(text)) }}
{%- endmacro %}

{% macro postgres__ascii_lower(text) -%}
    {#- lower() in the C collation changes ASCII letters only, whatever the database's locale,
        and costs less than translate() over millions of texts -#}
    lower(({{ text }}) collate "C")
{%- endmacro %}

{% macro spark__ascii_lower(text) -%}
    {#- Spark's lower() would change É too -#}
    translate({{ text }}, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz')
{%- endmacro %}
