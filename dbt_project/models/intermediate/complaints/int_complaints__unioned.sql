-- Every inbound contact of every channel in one grain, with its channel's category and noise
-- verdict; the marts keep the rows whose noise_reason is null.
with tweets as (
    select * from {{ ref('stg_social__tweets') }}
),

messages as (
    select * from {{ ref('stg_sms__messages') }}
),

call_events as (
    select * from {{ ref('stg_call_center__call_events') }}
),

submissions as (
    select * from {{ ref('stg_web_forms__submissions') }}
),

category_mappings as (
    select * from {{ ref('category_mappings') }}
),

noise_phrases as (
    select * from {{ ref('noise_phrases') }}
),

unioned as (
    select
        'social' as channel,
        tweet_id as record_key,
        tweet_id as source_ref,
        received_at,
        message_text,
        null::text as msisdn_hash,
        null::text as email_hash,
        null::text as account_number_hash,
        twitter_handle_hash,
        null::text as channel_category,
        noise_reason,
        extracted_at
    from tweets

    union all

    select
        'sms' as channel,
        message_sid as record_key,
        message_sid as source_ref,
        received_at,
        message_text,
        msisdn_hash,
        null::text as email_hash,
        null::text as account_number_hash,
        null::text as twitter_handle_hash,
        null::text as channel_category,
        noise_reason,
        extracted_at
    from messages

    union all

    select
        'call_center' as channel,
        event_key as record_key,
        call_id as source_ref,
        occurred_at as received_at,
        message_text,
        msisdn_hash,
        null::text as email_hash,
        account_number_hash,
        null::text as twitter_handle_hash,
        reason_code as channel_category,
        noise_reason,
        extracted_at
    from call_events

    union all

    select
        'web_form' as channel,
        submission_id as record_key,
        submission_id as source_ref,
        received_at,
        message_text,
        msisdn_hash,
        email_hash,
        account_number_hash,
        null::text as twitter_handle_hash,
        category_label as channel_category,
        noise_reason,
        extracted_at
    from submissions
),

classified as (
    select
        unioned.channel,
        unioned.record_key,
        unioned.source_ref,
        unioned.received_at,
        unioned.message_text,
        unioned.msisdn_hash,
        unioned.email_hash,
        unioned.account_number_hash,
        unioned.twitter_handle_hash,
        category_mappings.category_code,
        coalesce(
            unioned.noise_reason,
            (
                select noise_phrases.noise_reason
                from noise_phrases
                where
                    noise_phrases.channel = unioned.channel
                    and strpos(lower(unioned.message_text), noise_phrases.phrase) > 0
                order by noise_phrases.phrase
                limit 1
            )
        ) as noise_reason,
        unioned.extracted_at
    from unioned
    left join category_mappings
        on
            unioned.channel = category_mappings.channel
            and unioned.channel_category = category_mappings.raw_value
),

final as (
    select
        channel || ':' || record_key as contact_key,
        *
    from classified
)

select * from final
