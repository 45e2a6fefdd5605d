{% macro text_dictionary_version() -%}
    {#- a fingerprint of every seed the text models read: rows built with another are stale -#}
    (
        select md5({{ dbt.listagg('seed_rows.seed_line', "'|'", 'order by seed_rows.seed_line') }})
        from (
            {%- for seed in ['text_normalisations', 'text_terms', 'region_aliases',
                             'common_words', 'category_codes'] %}
                select
                    '{{ seed }}:' || {{ row_as_json('seed_row') }}::{{ dbt.type_string() }}
                        as seed_line
                from {{ ref(seed) }} as seed_row
                {%- if not loop.last %} union all{% endif %}
            {%- endfor %}
        ) as seed_rows
    )
{%- endmacro %}
