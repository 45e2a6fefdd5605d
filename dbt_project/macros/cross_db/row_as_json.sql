{% macro row_as_json(alias) -%}
    {#- a whole row as JSON, to compare rows column by column (cast it to fingerprint it) -#}
    {{ return(adapter.dispatch('row_as_json')(alias)) }}
{%- endmacro %}

{% macro postgres__row_as_json(alias) -%}
    to_jsonb({{ alias }})
{%- endmacro %}

{% macro spark__row_as_json(alias) -%}
    to_json(struct({{ alias }}.*))
{%- endmacro %}
