-- What is left to repair: quarantined records per source and reason, open (waiting for an
-- operator), replayed (corrected and landed) and dismissed. A record whose replay was still
-- unusable counts under the reason that replay met.
with records as (
    select * from {{ ref('stg_quarantine__records') }}
),

counted as (
    select
        source_system,
        current_reason as reason,
        count(*) filter (where status = 'open')::bigint as open_records,
        count(*) filter (where status = 'replayed')::bigint as replayed_records,
        count(*) filter (where status = 'dismissed')::bigint as dismissed_records,
        count(*)::bigint as quarantined_records,
        min(quarantined_at) filter (where status = 'open') as oldest_open_at,
        max(decided_at) as last_decided_at
    from records
    group by 1, 2
),

final as (
    select
        concat_ws(':', source_system, reason) as status_key,
        source_system,
        reason,
        open_records,
        replayed_records,
        dismissed_records,
        quarantined_records,
        oldest_open_at,
        last_decided_at
    from counted
)

select * from final
