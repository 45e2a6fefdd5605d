-- Every web-form label and call-centre reason code that reaches the warehouse has a row in
-- the category_mappings seed: a new CMS dropdown label or reason code fails here (add it to
-- the seed) instead of silently landing as an unclassified complaint.
with contacts as (
    select * from {{ ref('int_complaints__unioned') }}
),

submissions as (
    select * from {{ ref('stg_web_forms__submissions') }}
),

call_events as (
    select * from {{ ref('stg_call_center__call_events') }}
),

labels as (
    select
        'web_form' as channel,
        submission_id as record_key,
        category_label as channel_category
    from submissions
    where category_label <> ''
    union all
    select
        'call_center' as channel,
        event_key as record_key,
        reason_code as channel_category
    from call_events
    where reason_code <> ''
)

select
    labels.channel,
    labels.channel_category,
    count(*) as records
from labels
inner join contacts
    on labels.channel = contacts.channel and labels.record_key = contacts.record_key
where contacts.noise_reason is null and contacts.category_code is null
group by labels.channel, labels.channel_category
