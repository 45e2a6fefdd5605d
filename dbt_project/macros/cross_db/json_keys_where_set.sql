{% macro json_keys_where_set(json_column, field) -%}
    {#- the keys (sorted) of a JSON object whose values have `field` set, as a string array -#}
    {{ return(adapter.dispatch('json_keys_where_set')(json_column, field)) }}
{%- endmacro %}

{% macro postgres__json_keys_where_set(json_column, field) -%}
    (
        select array_agg(entries.key order by entries.key)
        from jsonb_each({{ json_column }}) as entries
        where entries.value ->> '{{ field }}' is not null
    )
{%- endmacro %}

{% macro spark__json_keys_where_set(json_column, field) -%}
    array_sort(map_keys(map_filter(
        from_json({{ json_column }}, 'map<string, string>'),
        (key, value) -> get_json_object(value, '$.{{ field }}') is not null
    )))
{%- endmacro %}
