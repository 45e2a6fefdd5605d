with source as (
    select * from {{ source('crm', 'network_incidents') }}
),

renamed as (
    select
        incident_id,
        region_code,
        service,
        severity,
        {{ utc_instant('started_at') }} as started_at,
        {{ utc_instant('resolved_at') }} as resolved_at,
        {{ utc_instant('updated_at') }} as updated_at
    from source
)

select * from renamed
