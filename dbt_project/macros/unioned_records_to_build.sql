{#- int_complaints__unioned is incremental on PostgreSQL: a run builds the records of every load
    it does not hold whole, a load being the records extracted at one time (`extracted_at`): a
    new load, a load still in flight during the last run, records loaded again (they carry the
    new load's time). Loads are told apart on the staging rows' keys and times alone, compared
    with what the table holds, within the lookback of its newest load; the load times found are
    then the filter, which PostgreSQL applies as it reads a row, before the rest of its staging
    columns (hashes, scrubbed text) are computed. A run with nothing new reads no record. Every
    record when the table was built with another keyword seed or PII salt. -#}

{% macro unioned_records_to_build(staging, channel, record_key, new_loads_only) -%}
    {#- one channel's staging rows (`staging`: its staging model; `record_key`: the column that
        makes the contact key `<channel>:<record_key>`): with `new_loads_only`, those of the
        loads the table does not hold whole. `= any(array(...))` is PostgreSQL's: this model is
        incremental there alone. -#}
    select staged.*
    from {{ staging }} as staged
    {%- if new_loads_only %}
        where staged.extracted_at = any(array(
            select distinct unbuilt.extracted_at
            from {{ staging }} as unbuilt
            where
                unbuilt.extracted_at > (
                    select max(built.extracted_at) - interval '{{ var("incremental_lookback") }}'
                    from {{ this }} as built
                )
                and not exists (
                    select 1
                    from {{ this }} as built
                    where
                        built.contact_key = '{{ channel }}:' || unbuilt.{{ record_key }}
                        and built.extracted_at = unbuilt.extracted_at
                )
        ))
    {%- endif %}
{%- endmacro %}

{% macro contact_inputs_version() -%}
    {#- a fingerprint of what int_complaints__unioned reads besides its records: the keyword
        seed, and the PII salt that staging's hashes are salted with -#}
    {{ inputs_fingerprint(['keyword_messages'], with_pii_salt=true) }}
{%- endmacro %}
