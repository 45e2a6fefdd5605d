-- Records the loaders set aside per day, source and reason: a rising line means a source
-- changed its format or started sending damaged data.
with records as (
    select * from {{ ref('stg_quarantine__records') }}
),

counted as (
    select
        {{ utc_date('quarantined_at') }} as quarantined_date,
        source_system,
        reason,
        count(*)::bigint as quarantined_records
    from records
    group by 1, 2, 3
),

final as (
    select
        concat_ws(':', quarantined_date, source_system, reason) as daily_key,
        quarantined_date,
        source_system,
        reason,
        quarantined_records
    from counted
)

select * from final
