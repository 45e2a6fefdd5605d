{#- An incremental model's grain (its `unique_key` config) held by a unique index on PostgreSQL:
    the warehouse refuses a duplicate as rows are written, where a `unique` test would read
    every row of a large table again on every run to find one. Spark has no indexes: there the
    rows are checked (the test unique_key_enforced). -#}

{% macro unique_key_index(relation, key) -%}
    {#- A post-hook: a unique index on `key` (a unique_key config) of `relation`, unless one holds
        it; nothing when the model declares no key. -#}
    {%- set columns = key_columns(key) %}
    {%- if columns %}
        {{- return(adapter.dispatch('unique_key_index')(relation, columns)) }}
    {%- endif %}
{%- endmacro %}

{% macro postgres__unique_key_index(relation, columns) -%}
    {%- if execute and run_query(unique_key_violations(relation, columns)).rows | length > 0 %}
        create unique index on {{ relation }} ({{ columns | join(', ') }})
    {%- endif %}
{%- endmacro %}

{% macro spark__unique_key_index(relation, columns) -%}
{%- endmacro %}

{% macro unique_key_violations(relation, columns) -%}
    {#- a row for each way the key `columns` of `relation` fails to hold -#}
    {{ return(adapter.dispatch('unique_key_violations')(relation, columns)) }}
{%- endmacro %}

{% macro postgres__unique_key_violations(relation, columns) -%}
    {#- one row when no unique index of the relation holds exactly these columns, whole (no
        predicate, no expression) and valid -#}
    select 'no unique index on {{ columns | join(", ") }}' as violation
    where not exists (
        select 1
        from pg_catalog.pg_index as key_index
        where
            key_index.indrelid = to_regclass('{{ relation }}')
            and key_index.indisunique
            and key_index.indisvalid
            and key_index.indpred is null
            and key_index.indexprs is null
            and key_index.indnkeyatts = {{ columns | length }}
            and (
                select count(*)
                from pg_catalog.pg_attribute as key_column
                where
                    key_column.attrelid = key_index.indrelid
                    and key_column.attnum = any(key_index.indkey)
                    and key_column.attname in ('{{ columns | join("', '") }}')
            ) = {{ columns | length }}
    )
{%- endmacro %}

{% macro spark__unique_key_violations(relation, columns) -%}
    {#- the keys that more than one row has -#}
    select {{ columns | join(', ') }}
    from {{ relation }}
    group by {{ columns | join(', ') }}
    having count(*) > 1
{%- endmacro %}
