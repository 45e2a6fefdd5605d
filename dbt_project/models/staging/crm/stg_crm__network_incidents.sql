with source as (
    select * from {{ source('crm', 'network_incidents') }}
),

renamed as (
    select
        incident_id,
        region_code,
        service,
        severity,
        started_at at time zone 'UTC' as started_at,
        resolved_at at time zone 'UTC' as resolved_at,
        updated_at at time zone 'UTC' as updated_at
    from source
)

select * from renamed
