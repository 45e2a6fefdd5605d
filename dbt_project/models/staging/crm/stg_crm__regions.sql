with source as (
    select * from {{ source('crm', 'regions') }}
),

renamed as (
    select
        region_code,
        region_name,
        state as state_name,
        {{ utc_instant('updated_at') }} as updated_at
    from source
)

select * from renamed
