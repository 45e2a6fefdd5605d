-- One row per inbound complaint contact from any channel, before de-duplication: the same
-- complaint raised on two channels, or an SMS and its follow-ups, are several contacts here.
with contacts as (
    select * from {{ ref('int_complaints__unioned') }}
    where noise_reason is null
),

final as (
    select
        contact_key,
        channel,
        source_ref,
        received_at,
        (received_at at time zone 'UTC')::date as received_date,
        category_code,
        message_text
    from contacts
)

select * from final
