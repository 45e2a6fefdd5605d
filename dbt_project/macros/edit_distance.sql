{#- The Levenshtein distance of two texts, or `max_distance + 1` when it is larger (cheaper to
    compute); from PostgreSQL's fuzzystrmatch extension, which `beejan warehouse roles`
    installs in the `extensions` schema. -#}
{% macro edit_distance(left, right, max_distance) -%}
    extensions.levenshtein_less_equal({{ left }}, {{ right }}, {{ max_distance }})
{%- endmacro %}
