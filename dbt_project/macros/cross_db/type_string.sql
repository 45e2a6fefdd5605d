{#- dbt.type_string on PostgreSQL, in lower case like the rest of the project's SQL (dbt's
    says TEXT, which sqlfluff's CP05 rejects in the compiled models). Chosen over dbt's by the
    dispatch search order in dbt_project.yml. -#}
{% macro postgres__type_string() -%}
    text
{%- endmacro %}
