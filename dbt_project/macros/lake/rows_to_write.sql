{#- The rows an incremental run of a model writes, when it writes what changed: `relation` (a CTE
    of the model's rows as they are now) compared whole with the built table, by `key`.
    PostgreSQL replaces those rows (delete+insert on the key). A Parquet lake cannot delete
    rows, only overwrite partitions (insert_overwrite): there, every row of each `partition`
    value that holds a changed row. -#}
{% macro rows_to_write(relation, key, partition) -%}
    {{ return(adapter.dispatch('rows_to_write')(relation, key, partition)) }}
{%- endmacro %}

{% macro postgres__rows_to_write(relation, key, partition) -%}
    {{ changed_rows(relation, key) }}
{%- endmacro %}

{% macro spark__rows_to_write(relation, key, partition) -%}
    select *
    from {{ relation }}
    where {{ partition }} in (
        select changed.{{ partition }} from ({{ changed_rows(relation, key) }}) as changed
    )
{%- endmacro %}

{% macro changed_rows(relation, key) -%}
    {{ return(adapter.dispatch('changed_rows')(relation, key)) }}
{%- endmacro %}

{% macro postgres__changed_rows(relation, key) -%}
    {#- Compared column by column, on the columns the table holds (`is distinct from`: a null
        equals a null). The model's contract names its columns: when they are not the table's
        (a column added or dropped), every row is written again. Comparing each row's JSON
        instead took 9.3 s, against 0.85 s, to find a day's changes among 414k contacts. -#}
    {%- set built_columns = adapter.get_columns_in_relation(this) | map(attribute='name') | list %}
    {%- set same_columns = built_columns
        and built_columns | sort == model.columns.keys() | list | sort %}
    {%- if same_columns %}
        select {{ relation }}.*
        from {{ relation }}
        left join {{ this }} as built on {{ relation }}.{{ key }} = built.{{ key }}
        where
            built.{{ key }} is null
            or ({{ relation }}.{{ built_columns | join(', ' ~ relation ~ '.') }})
            is distinct from (built.{{ built_columns | join(', built.') }})
    {%- else %}
        select * from {{ relation }}
    {%- endif %}
{%- endmacro %}

{% macro spark__changed_rows(relation, key) -%}
    select {{ relation }}.*
    from {{ relation }}
    left join {{ this }} as built on {{ relation }}.{{ key }} = built.{{ key }}
    -- whole rows compared by column name (the contract stores some text as varchar)
    where
        built.{{ key }} is null
        or {{ row_as_json(relation) }} <> {{ row_as_json('built') }}
{%- endmacro %}
