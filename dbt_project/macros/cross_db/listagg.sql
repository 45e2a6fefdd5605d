{#- dbt.listagg on Spark, in Spark 4's own listagg: dbt-spark's drops the order (it warns
    "order_by_clause is not supported"), and the channels of a complaint and the text
    fingerprint depend on it. Chosen over dbt-spark's by the dispatch search order in
    dbt_project.yml. -#}
{% macro spark__listagg(measure, delimiter_text, order_by_clause, limit_num) -%}
    {%- if limit_num -%}
        {{ exceptions.raise_compiler_error('listagg with limit_num is not written for Spark') }}
    {%- endif -%}
    listagg({{ measure }}, {{ delimiter_text }})
    {%- if order_by_clause %} within group ({{ order_by_clause }}){% endif %}
{%- endmacro %}
