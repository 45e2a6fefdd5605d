{#- The Levenshtein distance of two texts, or max_distance + 1 when it is larger (cheaper to
    compute). -#}
{% macro edit_distance(left, right, max_distance) -%}
    {{ return(adapter.dispatch('edit_distance')(left, right, max_distance)) }}
{%- endmacro %}

{% macro postgres__edit_distance(left, right, max_distance) -%}
    {#- fuzzystrmatch, which `beejan warehouse roles` installs in the extensions schema -#}
    extensions.levenshtein_less_equal({{ left }}, {{ right }}, {{ max_distance }})
{%- endmacro %}

{% macro spark__edit_distance(left, right, max_distance) -%}
    {#- -1 when the distance is over the threshold -#}
    coalesce(
        nullif(levenshtein({{ left }}, {{ right }}, {{ max_distance }}), -1),
        {{ max_distance + 1 }}
    )
{%- endmacro %}
