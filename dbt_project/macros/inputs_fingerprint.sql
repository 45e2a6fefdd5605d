{#- Incremental models whose rows depend on seeds (or the PII salt) as well as on their own
    records keep a fingerprint of those inputs in every row: a run that finds another one
    builds every row again, as a full refresh would. -#}

{% macro inputs_fingerprint(seeds, with_pii_salt=false) -%}
    {#- an MD5 of every row of `seeds` (and of the PII salt), as a scalar subquery -#}
    (
        select md5({{ dbt.listagg('inputs.input_line', "'|'", 'order by inputs.input_line') }})
        from (
            {%- for seed in seeds %}
                select
                    '{{ seed }}:' || {{ row_as_json('seed_row') }}::{{ dbt.type_string() }}
                        as input_line
                from {{ ref(seed) }} as seed_row
                {%- if not loop.last or with_pii_salt %} union all{% endif %}
            {%- endfor %}
            {%- if with_pii_salt %}
                select 'pii_salt:' || pii_salt.salt as input_line
                from {{ source('private', 'pii_salt') }} as pii_salt
            {%- endif %}
        ) as inputs
    )
{%- endmacro %}

{% macro built_with_inputs(relation, column, fingerprint) -%}
    {#- whether `relation`'s rows hold `fingerprint` (an inputs_fingerprint) in `column` -#}
    {%- set columns = adapter.get_columns_in_relation(relation) | map(attribute='name') | list %}
    {%- if column not in columns %}
        {{- return(false) }}
    {%- endif %}
    {%- set same = run_query(
        'select (select built.' ~ column ~ ' from ' ~ relation ~ ' as built limit 1)'
        ~ ' is not distinct from ' ~ fingerprint
    ) %}
    {{- return(same.columns[0].values()[0]) }}
{%- endmacro %}
