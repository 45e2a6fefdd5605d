with source as (
    {{ raw_rows(source('social', 'tweets'), 'id') }}
),

renamed as (
    select
        id as tweet_id,
        conversation_id,
        author_id,
        {{ mask_pii("lower(author_username)") }} as twitter_handle_hash,
        -- "call me on 0803 555 0134": a number typed in the text identifies the writer too
        {{ mask_pii(normalize_msisdn(regex_substring('text', '[+]?[0-9][0-9 ()-]{8,}[0-9]'))) }}
            as text_msisdn_hash,
        {{ scrub_pii_text('text') }} as message_text,
        {{ scrub_pii_text('author_location') }} as author_location,
        lang as language_code,
        created_at as received_at,
        case
            when text like 'RT @%' then 'retweet'
            when lower(author_username) = 'beejancare' then 'own_reply'
        end as noise_reason,
        _extracted_at as extracted_at
    from source
)

select * from renamed
