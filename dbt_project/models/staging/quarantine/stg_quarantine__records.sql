-- Quarantined records without their payload (it may hold PII; it stays in raw for whoever
-- repairs the source), with their status after operators' replays and dismissals. Empty, not
-- broken, until the first record is quarantined.
{% set records = existing_source('quarantine', 'quarantined_records') %}

{% if records %}
    with quarantined as (
        select * from {{ records }}
    ),

    renamed as (
        select
            quarantine_id,
            source as source_system,
            reason,
            detail,
            payload_bytes,
            origin,
            quarantined_at,
            _dlt_load_id as load_id,
            status,
            current_reason,
            decided_at
        from quarantined
    )

    select * from renamed
{% else %}
    select
        null::text as quarantine_id,
        null::text as source_system,
        null::text as reason,
        null::text as detail,
        null::bigint as payload_bytes,
        null::text as origin,
        null::timestamptz as quarantined_at,
        null::text as load_id,
        null::text as status,
        null::text as current_reason,
        null::timestamptz as decided_at
    where false
{% endif %}
