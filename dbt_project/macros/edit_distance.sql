{% macro edit_distance(left, right, max_distance) -%}
    extensions.levenshtein_less_equal({{ left }}, {{ right }}, {{ max_distance }})
{%- endmacro %}
