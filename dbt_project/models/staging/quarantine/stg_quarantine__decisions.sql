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
        null::{{ dbt.type_string() }} as decision_id,
        null::{{ dbt.type_string() }} as quarantine_id,
        null::{{ dbt.type_string() }} as source_system,
        null::{{ dbt.type_string() }} as outcome,
        null::{{ dbt.type_string() }} as new_reason,
        null::{{ dbt.type_string() }} as detail,
        null::{{ dbt.type_string() }} as decided_by,
        null::{{ type_instant() }} as decided_at,
        null::{{ dbt.type_string() }} as load_id
    where false
{% endif %}
