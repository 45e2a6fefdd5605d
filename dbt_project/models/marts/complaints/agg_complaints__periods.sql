-- Complaints (de-duplicated) per day, ISO week, month, quarter and year, by the channel they
-- were first raised on, category and region: what the business reports on. A complaint counts
-- in the period of its first contact.
{% set grains = ['day', 'week', 'month', 'quarter', 'year'] %}

with complaints as (
    select * from {{ ref('fct_complaints') }}
),

periods as (
    {% for grain in grains %}
        select
            '{{ grain }}' as period_grain,
            date_trunc('{{ grain }}', first_contact_date)::date as period_start,
            first_channel as channel,
            category_code,
            region_code,
            count(*)::bigint as complaints,
            sum(contact_count)::bigint as complaint_contacts,
            count(*) filter (where recurrence <> 'first')::bigint as repeat_complaints,
            count(*) filter (where priority = 'P1')::bigint as p1_complaints,
            count(*) filter (
                where incident_id is not null or outage_spike_key is not null
            )::bigint as outage_complaints,
            count(*) filter (where is_resolved)::bigint as resolved_complaints
        from complaints
        group by 1, 2, 3, 4, 5
        {% if not loop.last %}union all{% endif %}
    {% endfor %}
),

final as (
    select
        concat_ws(
            ':', period_grain, period_start, channel, category_code, coalesce(region_code, '-')
        ) as period_key,
        period_grain,
        period_start,
        channel,
        category_code,
        region_code,
        complaints,
        complaint_contacts,
        repeat_complaints,
        p1_complaints,
        outage_complaints,
        resolved_complaints
    from periods
)

select * from final
