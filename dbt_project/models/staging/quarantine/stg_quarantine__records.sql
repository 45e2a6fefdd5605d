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
        null::{{ dbt.type_string() }} as quarantine_id,
        null::{{ dbt.type_string() }} as source_system,
        null::{{ dbt.type_string() }} as reason,
        null::{{ dbt.type_string() }} as detail,
        null::bigint as payload_bytes,
        null::{{ dbt.type_string() }} as origin,
        null::{{ type_instant() }} as quarantined_at,
        null::{{ dbt.type_string() }} as load_id,
        null::{{ dbt.type_string() }} as status,
        null::{{ dbt.type_string() }} as current_reason,
        null::{{ type_instant() }} as decided_at
    where false
{% endif %}
