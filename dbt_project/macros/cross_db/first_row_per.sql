{% macro first_row_per(relation, partition_by, order_by, columns='*') -%}
    {#- a query of the first row of `relation` (a CTE or table) for each value of
        `partition_by`, by `order_by` (each expression with its direction) -#}
    {{ return(adapter.dispatch('first_row_per')(relation, partition_by, order_by, columns)) }}
{%- endmacro %}

{% macro postgres__first_row_per(relation, partition_by, order_by, columns) -%}
    {#- distinct on: the planner then expects one row per key, where a filtered ranking makes
        it expect one row in all and join every row to every match -#}
    select distinct on ({{ partition_by }}) {{ columns }}
    from {{ relation }}
    {%- set keys = partition_by.split(',') | map('trim') | map('string') | list %}
    order by {{ keys | join(' asc, ') }} asc, {{ order_by }}
{%- endmacro %}

{% macro spark__first_row_per(relation, partition_by, order_by, columns) -%}
    select {{ '* except (first_row_rank)' if columns == '*' else columns }}
    from (
        select
            *,
            row_number() over (partition by {{ partition_by }} order by {{ order_by }})
                as first_row_rank
        from {{ relation }}
    )
    where first_row_rank = 1
{%- endmacro %}
