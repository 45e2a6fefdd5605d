with source as (
    select * from {{ source('crm', 'plans') }}
),

renamed as (
    select
        plan_code,
        plan_name,
        technology,
        monthly_fee::numeric(12, 2) as monthly_fee_ngn,
        {{ utc_instant('updated_at') }} as updated_at
    from source
)

select * from renamed
