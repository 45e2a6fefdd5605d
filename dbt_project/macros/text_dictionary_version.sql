{% macro text_dictionary_version() -%}
    {#- a fingerprint of every seed the text models read: rows built with another are stale -#}
    {{ inputs_fingerprint([
        'text_normalisations', 'text_terms', 'region_aliases', 'common_words', 'category_codes'
    ]) }}
{%- endmacro %}
