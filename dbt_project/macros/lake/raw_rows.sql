{#- The rows of a dlt source's raw table, one per key: PostgreSQL's raw tables hold that already
    (dlt merges on the key as it loads); the lake appends every load, and its newest row of each
    key is kept, as the merge would have. -#}
{% macro raw_rows(relation, key) -%}
    {{ return(adapter.dispatch('raw_rows')(relation, key)) }}
{%- endmacro %}

{% macro postgres__raw_rows(relation, key) -%}
    select * from {{ relation }}
{%- endmacro %}

{% macro spark__raw_rows(relation, key) -%}
    {#- load ids are the load's start in epoch seconds, so newer sorts later; within one load,
        dlt's merge keeps any one row of a key (its rows are the same record read twice) -#}
    {{ first_row_per(relation, key, '_dlt_load_id desc, _dlt_id') }}
{%- endmacro %}
