-- Each complaint contact resolved to a CRM customer, by the strongest key its channel carries:
-- account number, then phone number, then email, then X handle (all compared as salted hashes).
with contacts as (
    select * from {{ ref('int_complaints__unioned') }}
    where noise_reason is null
),

customers as (
    select * from {{ ref('stg_crm__customers') }}
),

customer_keys as (
    -- one customer per key value, so a value two customers share cannot duplicate contacts
    select
        'account_number' as key_type,
        account_number_hash as key_value,
        min(customer_id) as customer_id
    from customers
    group by account_number_hash

    union all

    select
        'msisdn' as key_type,
        msisdn_hash as key_value,
        min(customer_id) as customer_id
    from customers
    group by msisdn_hash

    union all

    select
        'email' as key_type,
        email_hash as key_value,
        min(customer_id) as customer_id
    from customers
    group by email_hash

    union all

    select
        'twitter_handle' as key_type,
        twitter_handle_hash as key_value,
        min(customer_id) as customer_id
    from customers
    group by twitter_handle_hash
),

resolved as (
    select
        contacts.contact_key,
        contacts.channel,
        contacts.record_key,
        contacts.source_ref,
        contacts.received_at,
        contacts.message_text,
        contacts.category_code,
        coalesce(
            by_account.customer_id,
            by_msisdn.customer_id,
            by_email.customer_id,
            by_handle.customer_id
        ) as customer_id,
        case
            when by_account.customer_id is not null then 'account_number'
            when by_msisdn.customer_id is not null then 'msisdn'
            when by_email.customer_id is not null then 'email'
            when by_handle.customer_id is not null then 'twitter_handle'
        end as resolved_by,
        contacts.extracted_at
    from contacts
    left join customer_keys as by_account
        on
            by_account.key_type = 'account_number'
            and contacts.account_number_hash = by_account.key_value
    left join customer_keys as by_msisdn
        on
            by_msisdn.key_type = 'msisdn'
            and contacts.msisdn_hash = by_msisdn.key_value
    left join customer_keys as by_email
        on
            by_email.key_type = 'email'
            and contacts.email_hash = by_email.key_value
    left join customer_keys as by_handle
        on
            by_handle.key_type = 'twitter_handle'
            and contacts.twitter_handle_hash = by_handle.key_value
)

select * from resolved
