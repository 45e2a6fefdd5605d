-- Each contact that may be a complaint (not noise by its structure) resolved to a CRM customer,
-- by the strongest key its channel carries:
-- account number, then phone number, then email, then X handle, then a phone number typed in
-- the text, then an X handle that typed a customer's number in another tweet (all compared as
-- salted hashes).
-- When several customers share the strongest key, the contact stays unidentified: a guess
-- could link it to the wrong customer.
{#- the keys a contact is looked up by, strongest first: what it is then resolved by (its
    column `<name>_hash`), and the CRM's key it is compared with (`<crm_key>_hash`) -#}
{%- set key_lookups = [
    ('account_number', 'account_number'),
    ('msisdn', 'msisdn'),
    ('email', 'email'),
    ('twitter_handle', 'twitter_handle'),
    ('text_msisdn', 'msisdn'),
] %}
{#- the CRM's keys those lookups compare with, each once -#}
{%- set crm_keys = key_lookups | map(attribute=1) | unique | list %}

with contacts as (
    select * from {{ ref('int_complaints__unioned') }}
    where noise_reason is null
),

customers as (
    select * from {{ ref('stg_crm__customers') }}
),

customer_key_rows as (
    {%- for crm_key in crm_keys %}
        select
            '{{ crm_key }}' as key_kind,
            {{ crm_key }}_hash as key_hash,
            customer_id
        from customers
        {%- if not loop.last %}
            union all
        {%- endif %}
    {%- endfor %}
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
            {%- for name, crm_key in key_lookups %}
                when by_{{ name }}.key_hash is not null then by_{{ name }}.customer_id
            {%- endfor %}
            else by_learned_handle.customer_id
        end as customer_id,
        case
            {%- for name, crm_key in key_lookups %}
                when by_{{ name }}.key_hash is not null then '{{ name }}'
            {%- endfor %}
            when by_learned_handle.customer_id is not null then 'learned_handle'
        end as deciding_key
    from contacts
    {% for name, crm_key in key_lookups %}
        left join customer_keys as by_{{ name }}
            on
                by_{{ name }}.key_kind = '{{ crm_key }}'
                and contacts.{{ name }}_hash = by_{{ name }}.key_hash
    {% endfor %}
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
