-- A table, where the other CRM staging models are views: the resolution, classification, churn
-- risk, the customer dimension and the snapshot each read every customer, and through a view
-- each computed the five salted hashes of every customer again. Its hashes are those of the PII
-- salt at its build, as every table's: a new salt reaches them on the next build.
{{ config(materialized='table', post_hook='{{ update_statistics(this) }}') }}

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
