-- Every day from the first complaint contact to today (or the last contact, if later), for
-- gap-free daily series.
with bounds as (
    select
        coalesce(min(received_date), current_date) as first_day,
        greatest(max(received_date), current_date) as last_day
    from {{ ref('fct_complaint_contacts') }}
),

days as (
    {{ day_series('bounds.first_day', 'bounds.last_day') }}
    from bounds
),

final as (
    select
        date_day,
        {{ iso_day_of_week('date_day') }} as iso_day_of_week,
        {{ iso_day_of_week('date_day') }} in (6, 7) as is_weekend,
        date_trunc('week', date_day)::date as week_start,
        date_trunc('month', date_day)::date as month_start
    from days
)

select * from final
