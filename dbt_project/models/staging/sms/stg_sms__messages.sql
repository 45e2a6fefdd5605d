with source as (
    select * from {{ source('sms', 'messages') }}
),

renamed as (
    select
        sid as message_sid,
        {{ mask_pii(normalize_msisdn('"from"')) }} as msisdn_hash,
        {{ scrub_pii_text('body') }} as message_text,
        direction,
        status as delivery_status,
        num_segments::int as segment_count,
        date_sent as received_at,
        case
            when direction <> 'inbound' then 'outbound'
            when upper(trim(body)) in ('BAL', 'HELP', 'MENU', 'STOP', 'OK', 'THANKS') then 'keyword'
        end as noise_reason,
        _extracted_at as extracted_at
    from source
)

select * from renamed
