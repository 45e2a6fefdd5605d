with source as (
    {{ raw_rows(source('sms', 'messages'), 'sid') }}
),

renamed as (
    select
        sid as message_sid,
        {{ mask_pii(normalize_msisdn(adapter.quote('from'))) }} as msisdn_hash,
        {{ scrub_pii_text('body') }} as message_text,
        direction,
        status as delivery_status,
        num_segments::int as segment_count,
        -- a message not sent yet has no date_sent (Twilio allows it): it reached us when created
        coalesce(date_sent, date_created) as received_at,
        case when direction <> 'inbound' then 'outbound' end as noise_reason,
        _extracted_at as extracted_at
    from source
)

select * from renamed
