{% macro lateral_words(text, alias) -%}
    {#- a join clause giving each word of a space-separated text as `<alias>.word`, with a
        number that orders the words as written in `<alias>.word_position` -#}
    {{ return(adapter.dispatch('lateral_words')(text, alias)) }}
{%- endmacro %}

{% macro postgres__lateral_words(text, alias) -%}
    cross join lateral regexp_split_to_table({{ text }}, ' ')
        with ordinality as {{ alias }} (word, word_position)
{%- endmacro %}

{% macro spark__lateral_words(text, alias) -%}
    lateral view posexplode(split({{ text }}, ' ')) {{ alias }} as word_position, word
{%- endmacro %}
