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

learned_handles as (
    -- an X handle unknown to the CRM that typed a customer's number in one of its tweets is
    -- that customer's (and only when all its numbers name the same customer)
    select
        contacts.twitter_handle_hash,
        min(customers.customer_id) as customer_id
    from contacts
    inner join customers on contacts.text_msisdn_hash = customers.msisdn_hash
    where contacts.twitter_handle_hash is not null
    group by contacts.twitter_handle_hash
    having count(distinct customers.customer_id) = 1
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

    union all

    select
        contacts.contact_key,
        5 as strength,
        'text_msisdn' as resolved_by,
        customers.customer_id
    from contacts
    inner join customers on contacts.text_msisdn_hash = customers.msisdn_hash

    union all

    select
        contacts.contact_key,
        6 as strength,
        'learned_handle' as resolved_by,
        learned_handles.customer_id
    from contacts
    inner join learned_handles
        on contacts.twitter_handle_hash = learned_handles.twitter_handle_hash
),

key_matches as (
    select
        contact_key,
        strength,
        resolved_by,
        min(customer_id) as customer_id,
        count(distinct customer_id) as customers
    from candidates
    group by contact_key, strength, resolved_by
),

strongest_keys as (
    -- one row per contact, so the planner expects as many as there are: filtering a ranking
    -- instead made it expect one row and join every contact to every match (minutes)
    {{ first_row_per('key_matches', 'contact_key', 'strength asc') }}
),

strongest as (
    -- a key two customers share (a family phone) names nobody: better unidentified than wrong
    select
        contact_key,
        case when customers = 1 then customer_id end as customer_id,
        case when customers = 1 then resolved_by end as resolved_by
    from strongest_keys
),

resolved as (
    select
        contacts.contact_key,
        contacts.channel,
        contacts.record_key,
        contacts.source_ref,
        contacts.received_at,
        contacts.message_text,
        contacts.text_to_classify,
        contacts.location_text,
        contacts.site_code,
        contacts.channel_category,
        contacts.msisdn_hash,
        contacts.email_hash,
        contacts.twitter_handle_hash,
        strongest.customer_id,
        strongest.resolved_by,
        contacts.extracted_at
    from contacts
    left join strongest on contacts.contact_key = strongest.contact_key
)

select * from resolved
