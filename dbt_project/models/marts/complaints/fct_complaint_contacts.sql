-- One row per inbound complaint contact from any channel, noise removed, with the complaint it
-- belongs to (complaint_key: the same problem from the same sender, across channels), its
-- category and how it was decided, and the sender's region.
--
-- Incremental by comparison, not by time: a run writes the contacts the table does not hold as
-- they are now, row by row: new ones (a late call log of last week is picked up by the run that
-- loads it), and those whose complaint, category, customer or anything else changed (a sender's
-- new message can regroup their complaints; a CRM change can resolve or move a customer). A run
-- minutes after the last writes only what changed since, and the table equals a full refresh.
-- On Spark, partitioned by day, a run writes whole days: those with a changed contact.
{{
    config(
        materialized='incremental',
        unique_key='contact_key',
        incremental_strategy=(
            'delete+insert' if target.type == 'postgres' else 'insert_overwrite'
        ),
        partition_by=['received_date'],
        on_schema_change='append_new_columns',
    )
}}

with contacts as (
    select * from {{ ref('int_complaint_contacts__grouped') }}
),

contacts_now as (
    select
        contact_key,
        complaint_key,
        channel,
        source_ref,
        received_at,
        {{ utc_date('received_at') }} as received_date,
        category_code,
        category_method,
        category_confidence::numeric(4, 2) as category_confidence,
        customer_id,
        region_code,
        region_source,
        resolved_by,
        ticket_id,
        message_text,
        extracted_at,
        customer_updated_at
    from contacts
),

final as (
    {% if is_incremental() %}
        {{ rows_to_write('contacts_now', 'contact_key', 'received_date') }}
    {% else %}
        select * from contacts_now
    {% endif %}
)

select * from final
