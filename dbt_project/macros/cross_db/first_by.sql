{% macro first_by(value, order_by, where=none) -%}
    {#- an aggregate: `value` of the group's first row by `order_by` (a comma-separated list of
        ascending expressions), among the rows where `where` holds -#}
    {{ return(adapter.dispatch('first_by')(value, order_by, where)) }}
{%- endmacro %}

{% macro postgres__first_by(value, order_by, where) -%}
    (array_agg({{ value }} order by {{ order_by }})
        {%- if where %} filter (where {{ where }}){% endif %})[1]
{%- endmacro %}

{% macro spark__first_by(value, order_by, where) -%}
    min_by({{ value }}, struct({{ order_by }}))
        {%- if where %} filter (where {{ where }}){% endif %}
{%- endmacro %}
