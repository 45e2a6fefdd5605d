-- Flow runs with their failed sources spelled out. Empty, not broken, before the first run.
{% set runs = existing_source('audit', 'pipeline_runs') %}

{% if runs %}
    with pipeline_runs as (
        select * from {{ runs }}
    ),

    renamed as (
        select
            run_id,
            started_at,
            finished_at,
            status as run_status,
            cardinality(sources) as source_count,
            (
                select array_agg(results.key order by results.key)
                from jsonb_each(pipeline_runs.source_results) as results
                where results.value ->> 'error' is not null
            ) as failed_sources,
            message as failure_message
        from pipeline_runs
    )

    select * from renamed
{% else %}
    select
        null::text as run_id,
        null::timestamptz as started_at,
        null::timestamptz as finished_at,
        null::text as run_status,
        null::int as source_count,
        null::text[] as failed_sources,
        null::text as failure_message
    where false
{% endif %}
