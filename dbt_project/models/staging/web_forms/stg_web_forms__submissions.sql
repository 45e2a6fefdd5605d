-- A table, where the other staging models are views: the double-click flag compares each
-- submission with its sender's previous one, so every read of a view (each test, each build of
-- int_complaints__unioned) hashed and scrubbed every submission again to find the senders. Its
-- hashes are those of the PII salt at its build, as every table's: a new salt reaches them on
-- the next build.
{{ config(materialized='table', post_hook='{{ update_statistics(this) }}') }}

with source as (
    {{ raw_rows(source('web_forms', 'submissions'), 'submission_id') }}
),

renamed as (
    select
        submission_id,
        submitted_at_utc as received_at,
        submitted_at as submitted_at_text,
        {{ mask_pii('lower(trim(email))') }} as email_hash,
        {{ mask_pii(normalize_msisdn('phone')) }} as msisdn_hash,
        {{ mask_pii('upper(trim(account_number))') }} as account_number_hash,
        lower(trim(category)) as category_label,
        {{ scrub_pii_text('subject') }} as subject,
        {{ scrub_pii_text('message') }} as message_text,
        lower(trim(consent_marketing)) in ('yes', 'true') as has_marketing_consent,
        {{ optional_column(source('web_forms', 'submissions'), 'preferred_contact') }}
            as preferred_contact,
        coalesce(
            {{ optional_column(source('web_forms', 'submissions'), 'website') }}, ''
        ) <> '' as is_honeypot_filled,
        lower(email) like '%@beejan.example' as is_staff_test,
        coalesce(trim(message), '') = '' and coalesce(trim(category), '') = '' as is_blank,
        coalesce(trim(message), '') = '' as is_message_empty,
        _extracted_at as extracted_at
    from source
),

flagged as (
    select
        *,
        -- a double click: the same content again from the same sender within a minute
        coalesce(
            received_at - lag(received_at) over (
                partition by email_hash, msisdn_hash, message_text
                order by received_at, submission_id
            ) <= interval '1 minute',
            false
        ) as is_double_click
    from renamed
),

final as (
    select
        *,
        case
            when is_staff_test then 'staff_test'
            when is_honeypot_filled then 'honeypot_bot'
            when is_blank then 'blank_required_fields'
            when is_message_empty then 'empty_message'
            when is_double_click then 'double_click'
        end as noise_reason
    from flagged
)

select * from final
