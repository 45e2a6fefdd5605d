-- One row per inbound complaint contact from any channel, before de-duplication: the same
-- complaint raised on two channels, or an SMS and its follow-ups, are several contacts here.
--
-- Incremental on load time, not on received_at: a contact that arrives late (a re-delivered
-- call log of last week, an SMS page fetched days after it was sent) is picked up by the run
-- that loads it, whatever day it belongs to. A run also rebuilds the contacts whose customer
-- changed in the CRM and those that were unidentified and now resolve, so the table always
-- equals a full refresh. The lookback covers loads still in flight during the last build.
{{
    config(
        materialized='incremental',
        unique_key='contact_key',
        incremental_strategy='delete+insert',
        on_schema_change='append_new_columns',
    )
}}

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
        contacts.message_text,
        contacts.extracted_at,
        customers.updated_at as customer_updated_at
    from contacts
    left join customers on contacts.customer_id = customers.customer_id
)

select * from final
{% if is_incremental() %}
    where
        extracted_at > (
            select max(extracted_at) - interval '{{ var("incremental_lookback") }}'
            from {{ this }}
        )
        or customer_updated_at > (
            select max(customer_updated_at) - interval '{{ var("incremental_lookback") }}'
            from {{ this }}
        )
        or (
            customer_id is not null
            and contact_key in (select contact_key from {{ this }} where customer_id is null)
        )
{% endif %}
