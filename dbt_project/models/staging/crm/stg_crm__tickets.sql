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
        {{ utc_instant('opened_at') }} as opened_at,
        {{ utc_instant('first_response_at') }} as first_response_at,
        {{ utc_instant('resolved_at') }} as resolved_at,
        {{ utc_instant('updated_at') }} as updated_at
    from source
)

select * from renamed
