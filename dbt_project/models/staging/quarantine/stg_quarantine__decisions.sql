-- Operators' decisions on quarantined records (replayed, requarantined, dismissed), without
-- the corrected payload (it may hold PII; it stays in raw). Empty until the first record is
-- quarantined.
{% set decisions = existing_source('quarantine', 'quarantine_decisions') %}

{% if decisions %}
    with decided as (
        select * from {{ decisions }}
    ),

    renamed as (
        select
            decision_id,
            quarantine_id,
            source as source_system,
            outcome,
            reason as new_reason,
            detail,
            decided_by,
            decided_at,
            _dlt_load_id as load_id
        from decided
    )

    select * from renamed
{% else %}
    select
        null::text as decision_id,
        null::text as quarantine_id,
        null::text as source_system,
        null::text as outcome,
        null::text as new_reason,
        null::text as detail,
        null::text as decided_by,
        null::timestamptz as decided_at,
        null::text as load_id
    where false
{% endif %}
