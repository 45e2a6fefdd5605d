{#- int_complaints__unioned is incremental on PostgreSQL: a run builds the records it does not
    hold as extracted now (new ones, and ones loaded again), among those extracted since its
    newest less the lookback (loads still in flight during the last run); compared row by row,
    not by time alone, so a run minutes after the last reads only what that one did not. All of
    them when it was built with another keyword seed or PII salt. -#}

{% macro unioned_records_to_build(staged, channel, record_key) -%}
    {#- the condition on one channel's staging rows (`staged`: their alias; `record_key`: the
        column that makes the contact key `<channel>:<record_key>`) -#}
    {%- if is_incremental() and built_with_inputs(
        this, 'inputs_version', contact_inputs_version()
    ) %}
        {{ staged }}.extracted_at > (
            select max(built.extracted_at) - interval '{{ var("incremental_lookback") }}'
            from {{ this }} as built
        )
        and not exists (
            select 1
            from {{ this }} as built
            where
                built.contact_key = '{{ channel }}:' || {{ staged }}.{{ record_key }}
                and built.extracted_at = {{ staged }}.extracted_at
        )
    {%- else %}
        true
    {%- endif %}
{%- endmacro %}

{% macro contact_inputs_version() -%}
    {#- a fingerprint of what int_complaints__unioned reads besides its records: the keyword
        seed, and the PII salt that staging's hashes are salted with -#}
    {{ inputs_fingerprint(['keyword_messages'], with_pii_salt=true) }}
{%- endmacro %}
