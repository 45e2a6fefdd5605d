-- Each contact that may be a complaint (not noise by its structure) resolved to a CRM customer,
-- by the strongest key its channel carries:
-- account number, then phone number, then email, then X handle, then a phone number typed in
-- the text, then an X handle that typed a customer's number in another tweet (all compared as
-- salted hashes).
-- When several customers share the strongest key, the contact stays unidentified: a guess
-- could link it to the wrong customer.
with contacts as (
    select * from {{ ref('int_complaints__unioned') }}
    where noise_reason is null
),

customers as (
    select * from {{ ref('stg_crm__customers') }}
),

customer_key_rows as (
    select
        'account_number' as key_kind,
        account_number_hash as key_hash,
        customer_id
    from customers
    union all
    select
        'msisdn' as key_kind,
        msisdn_hash as key_hash,
        customer_id
    from customers
    union all
    select
        'email' as key_kind,
        email_hash as key_hash,
        customer_id
    from customers
    union all
    select
        'twitter_handle' as key_kind,
        twitter_handle_hash as key_hash,
        customer_id
    from customers
),

customer_keys as (
    -- each key the CRM holds, with the customer it names: none when several share it
    -- (a family phone names nobody: better unidentified than wrong)
    select
        key_kind,
        key_hash,
        case when min(customer_id) = max(customer_id) then min(customer_id) end as customer_id
    from customer_key_rows
    where key_hash is not null
    group by key_kind, key_hash
),

learned_handles as (
    -- an X handle unknown to the CRM that typed a customer's number in one of its tweets is
    -- that customer's (and only when all its numbers name the same customer); read from the
    -- model, not `contacts`, so that the contacts are scanned once, not stored for two reads
    select
        tweets.twitter_handle_hash,
        min(customers.customer_id) as customer_id
    from {{ ref('int_complaints__unioned') }} as tweets
    inner join customers on tweets.text_msisdn_hash = customers.msisdn_hash
    where tweets.noise_reason is null and tweets.twitter_handle_hash is not null
    group by tweets.twitter_handle_hash
    having min(customers.customer_id) = max(customers.customer_id)
),

decided as (
    -- the strongest key that names any customer decides, even one several share: one lookup
    -- per key, where ranking every candidate key sorted them all
    select
        contacts.*,
        case
            when by_account.key_hash is not null then by_account.customer_id
            when by_msisdn.key_hash is not null then by_msisdn.customer_id
            when by_email.key_hash is not null then by_email.customer_id
            when by_handle.key_hash is not null then by_handle.customer_id
            when by_text_msisdn.key_hash is not null then by_text_msisdn.customer_id
            else by_learned_handle.customer_id
        end as customer_id,
        case
            when by_account.key_hash is not null then 'account_number'
            when by_msisdn.key_hash is not null then 'msisdn'
            when by_email.key_hash is not null then 'email'
            when by_handle.key_hash is not null then 'twitter_handle'
            when by_text_msisdn.key_hash is not null then 'text_msisdn'
            when by_learned_handle.customer_id is not null then 'learned_handle'
        end as deciding_key
    from contacts
    left join customer_keys as by_account
        on
            by_account.key_kind = 'account_number'
            and contacts.account_number_hash = by_account.key_hash
    left join customer_keys as by_msisdn
        on
            by_msisdn.key_kind = 'msisdn'
            and contacts.msisdn_hash = by_msisdn.key_hash
    left join customer_keys as by_email
        on
            by_email.key_kind = 'email'
            and contacts.email_hash = by_email.key_hash
    left join customer_keys as by_handle
        on
            by_handle.key_kind = 'twitter_handle'
            and contacts.twitter_handle_hash = by_handle.key_hash
    left join customer_keys as by_text_msisdn
        on
            by_text_msisdn.key_kind = 'msisdn'
            and contacts.text_msisdn_hash = by_text_msisdn.key_hash
    left join learned_handles as by_learned_handle
        on contacts.twitter_handle_hash = by_learned_handle.twitter_handle_hash
),

resolved as (
    select
        contact_key,
        channel,
        record_key,
        source_ref,
        received_at,
        message_text,
        text_to_classify,
        location_text,
        site_code,
        channel_category,
        msisdn_hash,
        email_hash,
        twitter_handle_hash,
        customer_id,
        -- a key two customers share decided, and names nobody
        case when customer_id is not null then deciding_key end as resolved_by,
        extracted_at
    from decided
)

select * from resolved
