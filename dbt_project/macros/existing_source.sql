{#- The relation of a source table, or none while it does not exist yet: tables that appear
    with their first row (the quarantine, the run audit). Models then select no rows instead of
    failing. source() is called either way, so the lineage stays whole. -#}
{% macro existing_source(source_name, table_name) -%}
    {%- set relation = source(source_name, table_name) -%}
    {{ return(adapter.get_relation(relation.database, relation.schema, relation.identifier)) }}
{%- endmacro %}
