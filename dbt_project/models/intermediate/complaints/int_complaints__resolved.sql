-- Each complaint contact resolved to a CRM customer, by the strongest key its channel carries:
-- account number, then phone number, then email, then X handle (all compared as salted hashes).
-- Where several customers share the strongest key, the lowest customer id wins.
with contacts as (
    select * from {{ ref('int_complaints__unioned') }}
    where noise_reason is null
),

customers as (
    select * from {{ ref('stg_crm__customers') }}
),

candidates as (
    select
        contacts.contact_key,
        1 as strength,
        'account_number' as resolved_by,
        customers.customer_id
    from contacts
    inner join customers on contacts.account_number_hash = customers.account_number_hash

    union all

    select
        contacts.contact_key,
        2 as strength,
        'msisdn' as resolved_by,
        customers.customer_id
    from contacts
    inner join customers on contacts.msisdn_hash = customers.msisdn_hash

    union all

    select
        contacts.contact_key,
        3 as strength,
        'email' as resolved_by,
        customers.customer_id
    from contacts
    inner join customers on contacts.email_hash = customers.email_hash

    union all

    select
        contacts.contact_key,
        4 as strength,
        'twitter_handle' as resolved_by,
        customers.customer_id
    from contacts
    inner join customers on contacts.twitter_handle_hash = customers.twitter_handle_hash
),

strongest as (
    select distinct on (contact_key)
        contact_key,
        customer_id,
        resolved_by
    from candidates
    order by contact_key, strength, customer_id
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
        strongest.customer_id,
        strongest.resolved_by,
        contacts.extracted_at
    from contacts
    left join strongest on contacts.contact_key = strongest.contact_key
)

select * from resolved
