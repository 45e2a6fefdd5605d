{% test unique_key_enforced(model) %}
    {#- The model's `unique_key` holds: a unique index keeps it on PostgreSQL, the rows are
        checked on Spark (macros/cross_db/unique_key_index.sql). -#}
    {%- set node = graph.nodes.values() | selectattr('relation_name', 'equalto', model | string)
        | first if execute else none %}
    {%- set columns = key_columns(node.config.unique_key if node else none) %}
    {%- if execute and not columns %}
        {{ exceptions.raise_compiler_error(model ~ ' declares no unique_key') }}
    {%- endif %}
    {{ unique_key_violations(model, columns) }}
{% endtest %}

{% macro key_columns(key) -%}
    {#- a `unique_key` config (none, a column, or a list of them) as a list of columns -#}
    {{ return([] if key is none else [key] if key is string else key) }}
{%- endmacro %}
