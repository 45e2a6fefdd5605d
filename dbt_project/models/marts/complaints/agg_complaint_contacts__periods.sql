-- Complaint contacts per channel per day, ISO week, month, quarter and year, with the average
-- per day. Days without contacts count as zero (the series comes from dim_dates), so averages
-- are honest.
{% set grains = ['day', 'week', 'month', 'quarter', 'year'] %}

with dates as (
    select * from {{ ref('dim_dates') }}
),

channels as (
    select * from {{ ref('dim_channels') }}
),

daily as (
    select * from {{ ref('agg_complaint_contacts__daily') }}
),

contacts_per_channel_day as (
    select
        dates.date_day,
        channels.channel,
        coalesce(sum(daily.complaint_contacts), 0)::bigint as complaint_contacts
    from dates
    cross join channels
    left join daily
        on dates.date_day = daily.date_day and channels.channel = daily.channel
    group by 1, 2
),

periods as (
    {% for grain in grains %}
        select
            '{{ grain }}' as period_grain,
            date_trunc('{{ grain }}', date_day)::date as period_start,
            channel,
            sum(complaint_contacts)::bigint as complaint_contacts,
            count(*)::int as days_observed
        from contacts_per_channel_day
        group by 1, 2, 3
        {% if not loop.last %}union all{% endif %}
    {% endfor %}
),

final as (
    select
        concat_ws(':', period_grain, period_start, channel) as period_key,
        period_grain,
        period_start,
        channel,
        complaint_contacts,
        days_observed,
        (complaint_contacts::numeric / days_observed)::numeric(12, 2) as avg_contacts_per_day
    from periods
)

select * from final
