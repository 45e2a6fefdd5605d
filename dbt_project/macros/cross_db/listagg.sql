{#- dbt.listagg on Spark, in Spark 4's own listagg: dbt-spark's drops the order (it warns
    "order_by_clause is not supported"), and the channels of a complaint and the text
    fingerprint depend on it. Chosen over dbt-spark's by the dispatch search order in
    dbt_project.yml. -#}
{% macro spark__listagg(measure, delimiter_text, order_by_clause, limit_num) -%}
    {%- if limit_num -%}
        {{ exceptions.raise_compiler_error('listagg with limit_num is not written for Spark') }}
    {%- endif -%}
    {%- set distinct_value = measure | replace('distinct ', '', 1) if measure.startswith('distinct ')
        else none -%}
    {%- if distinct_value and order_by_clause == 'order by ' ~ distinct_value -%}
        {#- Spark 4.3's listagg(distinct x) within group (order by x) fails to plan beside other
            aggregates (ClassCastException in ListAgg): the same list from a sorted set -#}
        array_join(array_sort(collect_set({{ distinct_value }})), {{ delimiter_text }})
    {%- else -%}
        listagg({{ measure }}, {{ delimiter_text }})
        {%- if order_by_clause %} within group ({{ order_by_clause }}){% endif %}
    {%- endif -%}
{%- endmacro %}
