with source as (
    {{ raw_rows(source('call_center', 'call_events'), 'event_key') }}
),

renamed as (
    select
        event_key,
        call_id,
        event as event_type,
        level as log_level,
        site as site_code,
        agent_id,
        {{ mask_pii(normalize_msisdn('caller')) }} as msisdn_hash,
        {{ mask_pii('upper(trim(account_no))') }} as account_number_hash,
        nullif(nullif(duration_s, ''), '-1')::int as duration_seconds,
        queue as queue_name,
        disposition,
        reason_code,
        {{ scrub_pii_text('notes') }} as message_text,
        ts as occurred_at,
        source_file,
        line_number,
        case
            when level = 'DEBUG' then 'debug_line'
            when level = 'WARN' then 'warning_line'
            when event <> 'call_closed' then 'call_progress_event'
            when disposition <> 'complaint' then 'not_a_complaint'
        end as noise_reason,
        _extracted_at as extracted_at
    from source
)

select * from renamed
