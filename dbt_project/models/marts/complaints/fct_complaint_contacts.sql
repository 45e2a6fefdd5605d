-- One row per inbound complaint contact from any channel, before de-duplication: the same
-- complaint raised on two channels, or an SMS and its follow-ups, are several contacts here.
with contacts as (
    select * from {{ ref('int_complaints__resolved') }}
),

customers as (
    select * from {{ ref('stg_crm__customers') }}
),

final as (
    select
        contacts.contact_key,
        contacts.channel,
        contacts.source_ref,
        contacts.received_at,
        (contacts.received_at at time zone 'UTC')::date as received_date,
        contacts.category_code,
        contacts.customer_id,
        customers.region_code,
        contacts.resolved_by,
        contacts.message_text
    from contacts
    left join customers on contacts.customer_id = customers.customer_id
)

select * from final
