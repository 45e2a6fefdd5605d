-- Complaint contacts grouped into complaints: one customer's contacts about one problem.
--
-- A sender's contacts (by CRM customer, else by phone, X handle or email) form a session while
-- each follows the previous within the complaint window (var `complaint_window`): an SMS and
-- its follow-ups, a tweet and then a call, a form sent twice. A contact whose own signals name
-- no category ("pls help", "any update??") takes the category of the sender's previous contact
-- in the session (else the next); it is then categorised by `text`, from the complaint's words,
-- with 80 % of that confidence. Within a session, one complaint per category: the same sender
-- with two problems has two complaints, and two senders never share one.
with contacts as (
    select * from {{ ref('int_complaint_contacts__classified') }}
    where noise_reason is null
),

gaps as (
    select
        *,
        coalesce(
            received_at - lag(received_at) over (
                partition by identity_key order by received_at, contact_key
            ) > interval '{{ var("complaint_window") }}',
            true
        ) as starts_session
    from contacts
),

sessions as (
    select
        *,
        sum(starts_session::int) over (
            partition by identity_key order by received_at, contact_key
        ) as session_number
    from gaps
),

runs as (
    -- a run starts at each contact with a category of its own; the rest of the run inherits it
    select
        *,
        count(own_category_code) over (
            partition by identity_key, session_number order by received_at, contact_key
        ) as category_run
    from sessions
),

inherited as (
    select
        *,
        first_value(own_category_code) over (
            partition by identity_key, session_number, category_run
            order by received_at, contact_key
        ) as previous_category_code,
        first_value(own_category_confidence) over (
            partition by identity_key, session_number, category_run
            order by received_at, contact_key
        ) as previous_category_confidence,
        first_value(own_category_code) over (
            partition by identity_key, session_number
            order by own_category_code is null, received_at, contact_key
        ) as session_category_code,
        first_value(own_category_confidence) over (
            partition by identity_key, session_number
            order by own_category_code is null, received_at, contact_key
        ) as session_category_confidence
    from runs
),

categorised as (
    select
        *,
        coalesce(own_category_code, previous_category_code, session_category_code, 'UNMAPPED')
            as category_code,
        coalesce(
            own_category_method,
            case
                when coalesce(previous_category_code, session_category_code) is not null
                    then 'text'
            end,
            'none'
        ) as category_method,
        coalesce(
            own_category_confidence,
            round(0.8 * coalesce(previous_category_confidence, session_category_confidence), 2),
            0
        ) as category_confidence
    from inherited
),

final as (
    select
        md5(
            identity_key || '|' || category_code || '|' || {{ epoch_seconds(
                'min(received_at) over (partition by identity_key, session_number, category_code)'
            ) }}::{{ dbt.type_string() }}
        ) as complaint_key,
        contact_key,
        channel,
        record_key,
        source_ref,
        received_at,
        message_text,
        identity_key,
        customer_id,
        resolved_by,
        category_code,
        category_method,
        category_confidence,
        channel_category,
        is_unmapped_channel_value,
        ticket_id,
        region_code,
        region_source,
        problem_score,
        churn_score,
        legal_score,
        urgent_score,
        extracted_at,
        customer_updated_at
    from categorised
)

select * from final
