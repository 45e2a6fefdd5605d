-- Call-centre reason codes and web-form dropdown labels the mappings (seed category_mappings)
-- do not know yet, per day: their contacts fall back to their words, or to UNMAPPED, until
-- someone adds the new value to the seed. A new row here is a to-do, not an outage.
with contacts as (
    select * from {{ ref('int_complaint_contacts__classified') }}
),

counted as (
    select
        {{ utc_date('received_at') }} as received_date,
        channel,
        channel_category as unmapped_value,
        count(*)::bigint as contacts
    from contacts
    where is_unmapped_channel_value and noise_reason is null
    group by 1, 2, 3
),

final as (
    select
        concat_ws(':', received_date, channel, unmapped_value) as daily_key,
        received_date,
        channel,
        unmapped_value,
        contacts
    from counted
)

select * from final
