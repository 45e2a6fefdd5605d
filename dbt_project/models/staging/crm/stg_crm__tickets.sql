with source as (
    select * from {{ source('crm', 'tickets') }}
),

renamed as (
    select
        ticket_id,
        customer_id,
        source_channel as channel,
        source_ref,
        category_code,
        priority,
        status as ticket_status,
        opened_at at time zone 'UTC' as opened_at,
        first_response_at at time zone 'UTC' as first_response_at,
        resolved_at at time zone 'UTC' as resolved_at,
        updated_at at time zone 'UTC' as updated_at
    from source
)

select * from renamed
