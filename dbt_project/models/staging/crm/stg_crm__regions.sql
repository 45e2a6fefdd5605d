with source as (
    select * from {{ source('crm', 'regions') }}
),

renamed as (
    select
        region_code,
        region_name,
        state as state_name,
        updated_at at time zone 'UTC' as updated_at
    from source
)

select * from renamed
