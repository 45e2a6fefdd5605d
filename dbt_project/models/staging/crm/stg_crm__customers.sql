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
        {{ mask_pii("lower(ltrim(twitter_handle, '@'))") }} as twitter_handle_hash,
        region_code,
        plan_code,
        status as account_status,
        created_at at time zone 'UTC' as created_at,
        updated_at at time zone 'UTC' as updated_at
    from source
)

select * from renamed
