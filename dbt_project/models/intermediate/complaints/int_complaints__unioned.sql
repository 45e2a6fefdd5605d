-- Every inbound record of the four complaint channels in one grain, with what each channel
-- knows for sure: the channel's own category value, and the records that are not complaints
-- by their structure (retweets, Beejan's replies, heartbeats, other calls, bots, staff tests,
-- short-code keywords). What the text says is judged later (int_complaint_texts__scored).
--
-- Incremental on PostgreSQL: a run builds the records of the loads it does not hold whole, and
-- replaces their rows (macros/unioned_records_to_build.sql), where hashing and scrubbing every
-- record of raw again was most of this model's time. Spark's lake builds the table whole.
{{
    config(
        materialized=('incremental' if target.type == 'postgres' else 'table'),
        unique_key='contact_key',
        incremental_strategy='delete+insert',
        on_schema_change='append_new_columns',
        indexes=[{'columns': ['extracted_at']}],
    )
}}

{%- set new_loads_only = is_incremental() and built_with_inputs(
    this, 'inputs_version', contact_inputs_version()
) %}

with tweets as (
    {{ unioned_records_to_build(
        ref('stg_social__tweets'), 'social', 'tweet_id', new_loads_only
    ) }}
),

messages as (
    {{ unioned_records_to_build(
        ref('stg_sms__messages'), 'sms', 'message_sid', new_loads_only
    ) }}
),

call_events as (
    {{ unioned_records_to_build(
        ref('stg_call_center__call_events'), 'call_center', 'event_key', new_loads_only
    ) }}
),

submissions as (
    {{ unioned_records_to_build(
        ref('stg_web_forms__submissions'), 'web_form', 'submission_id', new_loads_only
    ) }}
),

keyword_messages as (
    select * from {{ ref('keyword_messages') }}
),

unioned as (
    select
        'social' as channel,
        tweet_id as record_key,
        tweet_id as source_ref,
        received_at,
        message_text,
        message_text as text_to_classify,
        author_location as location_text,
        null::{{ dbt.type_string() }} as site_code,
        null::{{ dbt.type_string() }} as msisdn_hash,
        null::{{ dbt.type_string() }} as email_hash,
        null::{{ dbt.type_string() }} as account_number_hash,
        twitter_handle_hash,
        text_msisdn_hash,
        null::{{ dbt.type_string() }} as channel_category,
        noise_reason,
        extracted_at
    from tweets

    union all

    select
        'sms' as channel,
        messages.message_sid as record_key,
        messages.message_sid as source_ref,
        messages.received_at,
        messages.message_text,
        messages.message_text as text_to_classify,
        null::{{ dbt.type_string() }} as location_text,
        null::{{ dbt.type_string() }} as site_code,
        messages.msisdn_hash,
        null::{{ dbt.type_string() }} as email_hash,
        null::{{ dbt.type_string() }} as account_number_hash,
        null::{{ dbt.type_string() }} as twitter_handle_hash,
        null::{{ dbt.type_string() }} as text_msisdn_hash,
        null::{{ dbt.type_string() }} as channel_category,
        coalesce(
            messages.noise_reason,
            case when keyword_messages.keyword is not null then 'keyword' end
        ) as noise_reason,
        messages.extracted_at
    from messages
    left join keyword_messages
        on
            lower(trim(both ' .!?' from messages.message_text))
            = keyword_messages.keyword

    union all

    select
        'call_center' as channel,
        event_key as record_key,
        call_id as source_ref,
        occurred_at as received_at,
        message_text,
        message_text as text_to_classify,
        null::{{ dbt.type_string() }} as location_text,
        site_code,
        msisdn_hash,
        null::{{ dbt.type_string() }} as email_hash,
        account_number_hash,
        null::{{ dbt.type_string() }} as twitter_handle_hash,
        null::{{ dbt.type_string() }} as text_msisdn_hash,
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
        concat_ws(' ', subject, message_text) as text_to_classify,
        null::{{ dbt.type_string() }} as location_text,
        null::{{ dbt.type_string() }} as site_code,
        msisdn_hash,
        email_hash,
        account_number_hash,
        null::{{ dbt.type_string() }} as twitter_handle_hash,
        null::{{ dbt.type_string() }} as text_msisdn_hash,
        nullif(category_label, '') as channel_category,
        noise_reason,
        extracted_at
    from submissions
),

final as (
    select
        channel || ':' || record_key as contact_key,
        *,
        {{ contact_inputs_version() }} as inputs_version
    from unioned
)

select * from final
