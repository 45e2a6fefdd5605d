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
            {{ json_keys_where_set('pipeline_runs.source_results', 'error') }} as failed_sources,
            message as failure_message
        from pipeline_runs
    )

    select * from renamed
{% else %}
    select
        null::{{ dbt.type_string() }} as run_id,
        null::{{ type_instant() }} as started_at,
        null::{{ type_instant() }} as finished_at,
        null::{{ dbt.type_string() }} as run_status,
        null::int as source_count,
        null::{{ type_string_array() }} as failed_sources,
        null::{{ dbt.type_string() }} as failure_message
    where false
{% endif %}
