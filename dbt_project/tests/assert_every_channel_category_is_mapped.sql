-- Every web-form label and call-centre reason code of a complaint contact has a row in the
-- category_mappings seed: a new CMS dropdown label or reason code fails here (add it to the
-- seed) instead of silently landing as an unclassified complaint.
with submissions as (
    select * from {{ ref('stg_web_forms__submissions') }}
),

call_events as (
    select * from {{ ref('stg_call_center__call_events') }}
),

category_mappings as (
    select * from {{ ref('category_mappings') }}
),

labels as (
    select
        'web_form' as channel,
        category_label as channel_category
    from submissions
    where noise_reason is null and category_label <> ''
    union all
    select
        'call_center' as channel,
        reason_code as channel_category
    from call_events
    where noise_reason is null and reason_code <> ''
)

select
    labels.channel,
    labels.channel_category,
    count(*) as records
from labels
left join category_mappings
    on
        labels.channel = category_mappings.channel
        and labels.channel_category = category_mappings.raw_value
where category_mappings.category_code is null
group by labels.channel, labels.channel_category
