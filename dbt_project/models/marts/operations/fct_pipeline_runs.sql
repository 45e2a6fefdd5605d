-- One row per pipeline run, for operators: did last night's run finish, how long did it take,
-- which sources failed. A build runs inside a flow run, so that run shows as running here.
with runs as (
    select * from {{ ref('stg_audit__pipeline_runs') }}
),

final as (
    select
        run_id,
        run_status,
        started_at,
        finished_at,
        {{ utc_date('started_at') }} as started_date,
        {{ elapsed('seconds', 'started_at', 'finished_at') }}::numeric(12, 1) as duration_seconds,
        source_count,
        coalesce(cardinality(failed_sources), 0) as failed_source_count,
        {{ array_to_text('failed_sources', "', '") }} as failed_sources,
        failure_message
    from runs
)

select * from final
