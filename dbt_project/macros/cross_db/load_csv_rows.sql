{#- dbt's seed loader, mended for Spark: dbt-spark's session connection puts each value between
    quotes as it is, so a seed text with an apostrophe ("Beejan's agents") broke the insert.
    Values are written as escaped literals here. PostgreSQL keeps dbt's own. -#}
{% macro spark__load_csv_rows(model, agate_table) -%}
    {%- set column_override = model['config'].get('column_types', {}) %}
    {%- set statements = [] %}
    {%- for chunk in agate_table.rows | batch(get_batch_size()) %}
        {%- set sql %}
            insert into {{ this.render() }} values
            {%- for row in chunk %}
                (
                {%- for value in row -%}
                    {%- set name = agate_table.column_names[loop.index0] -%}
                    {%- set type = column_override.get(
                        name, adapter.convert_type(agate_table, loop.index0)
                    ) -%}
                    cast({{ spark_literal(value) }} as {{ type }})
                    {%- if not loop.last %}, {% endif -%}
                {%- endfor -%}
                ){%- if not loop.last %},{% endif %}
            {%- endfor %}
        {%- endset %}
        {%- do adapter.add_query(sql, abridge_sql_log=True) %}
        {%- do statements.append(sql) if loop.first %}
    {%- endfor %}
    {{- return(statements[0]) }}
{%- endmacro %}

{% macro spark_literal(value) -%}
    {#- a seed value as a Spark literal: backslash escapes quotes (and itself) -#}
    {%- if value is none -%}
        null
    {%- else -%}
        '{{ value | string | replace("\\", "\\\\") | replace("'", "\\'") }}'
    {%- endif -%}
{%- endmacro %}
