with source as (
    select * from {{ source('crm', 'customers') }}
),

renamed as (
    select
        customer_id,
        {{ mask_pii('account_number') }} as account_number_hash,
        {{ mask_pii('full_name') }} as full_name_hash,
        {{ mask_pii(normalize_msisdn('msisdn')) }} as msisdn_hash,
        {{ mask_pii('lower(trim(email))') }} as email_hash,
        {{ mask_pii("lower(trim(leading '@' from twitter_handle))") }} as twitter_handle_hash,
        region_code,
        plan_code,
        status as account_status,
        {{ utc_instant('created_at') }} as created_at,
        {{ utc_instant('updated_at') }} as updated_at
    from source
)

select * from renamed
