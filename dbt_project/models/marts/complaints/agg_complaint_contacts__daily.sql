-- Complaint contacts per day, channel, category and region: the grain reports slice by.
with contacts as (
    select * from {{ ref('fct_complaint_contacts') }}
),

counted as (
    select
        received_date as date_day,
        channel,
        category_code,
        region_code,
        count(*)::bigint as complaint_contacts,
        count(customer_id)::bigint as identified_contacts
    from contacts
    group by 1, 2, 3, 4
),

final as (
    select
        concat_ws(
            ':', date_day, channel, coalesce(category_code, '-'), coalesce(region_code, '-')
        ) as daily_key,
        date_day,
        channel,
        category_code,
        region_code,
        complaint_contacts,
        identified_contacts
    from counted
)

select * from final
