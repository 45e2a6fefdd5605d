{% macro incident_covers(incidents, region_code, at) -%}
    {{ region_code }} = {{ incidents }}.region_code
    and {{ at }}
    between {{ incidents }}.started_at - interval '{{ var("incident_lead") }}'
    and coalesce({{ incidents }}.resolved_at, {{ at }}) + interval '{{ var("incident_tail") }}'
{%- endmacro %}
