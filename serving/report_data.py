"""What the complaint report shows, read from the marts (as the reporter role) for one window of
days ending at the newest complaint. Every number on the page comes from here."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from serving.marts import Marts

Rows = list[dict[str, Any]]
GRAINS = ("day", "week", "month", "quarter")


@dataclass(frozen=True)
class Window:
    first_day: date
    last_day: date


@dataclass
class ReportData:
    window: Window | None  # None: no complaint in the marts yet
    generated_at: datetime
    kpis: dict[str, int] = field(default_factory=dict)
    volume: Rows = field(default_factory=list)  # grain, period_start, channel, complaints
    categories: Rows = field(default_factory=list)  # the top ten, with their totals
    category_trend: Rows = field(default_factory=list)  # weekly, for the top five
    regions: Rows = field(default_factory=list)
    sla: Rows = field(default_factory=list)  # per priority
    sla_weekly: Rows = field(default_factory=list)
    spikes: Rows = field(default_factory=list)
    incidents: Rows = field(default_factory=list)
    recurrence: Rows = field(default_factory=list)
    repeat_complainers: Rows = field(default_factory=list)
    churn_bands: Rows = field(default_factory=list)
    quarantine_daily: Rows = field(default_factory=list)
    quarantine_status: Rows = field(default_factory=list)
    pipeline_runs: Rows = field(default_factory=list)


def read_report_data(marts: Marts, days: int, now: datetime) -> ReportData:
    [span] = marts.rows("select max(first_contact_date) as last_day from {marts}.fct_complaints")
    if span["last_day"] is None:
        return ReportData(window=None, generated_at=now)
    last_day = span["last_day"]
    window = Window(last_day - timedelta(days=days - 1), last_day)
    params = {"first_day": window.first_day, "last_day": window.last_day}
    data = ReportData(window=window, generated_at=now)
    for name, query in QUERIES.items():
        setattr(data, name, marts.rows(query, params))
    data.kpis = {name: int(value or 0) for name, value in marts.rows(KPIS, params)[0].items()}
    return data


IN_WINDOW = "between %(first_day)s and %(last_day)s"

# Complaints count in the period of their first contact (agg_complaints__periods' rule).
QUERIES: dict[str, str] = {
    "volume": """
        select period_grain as grain, period_start, channel, sum(complaints)::bigint as complaints
        from {marts}.agg_complaints__periods
        where period_grain in ('day', 'week', 'month', 'quarter')
            and period_start between date_trunc(period_grain, %(first_day)s::date)::date
                and %(last_day)s
        group by 1, 2, 3
        order by 1, 2, 3""",
    "categories": f"""
        select p.category_code, c.category_name, sum(p.complaints)::bigint as complaints
        from {{marts}}.agg_complaints__periods as p
        inner join {{marts}}.dim_categories as c on p.category_code = c.category_code
        where p.period_grain = 'day' and p.period_start {IN_WINDOW}
        group by 1, 2
        order by 3 desc, 1
        limit 10""",
    "category_trend": f"""
        with top as (
            select category_code
            from {{marts}}.agg_complaints__periods
            where period_grain = 'day' and period_start {IN_WINDOW}
            group by 1
            order by sum(complaints) desc, 1
            limit 5
        )
        select c.category_name, p.period_start as week_start,
            sum(p.complaints)::bigint as complaints
        from {{marts}}.agg_complaints__periods as p
        inner join top on p.category_code = top.category_code
        inner join {{marts}}.dim_categories as c on p.category_code = c.category_code
        where p.period_grain = 'week'
            and p.period_start between date_trunc('week', %(first_day)s::date)::date
                and %(last_day)s
        group by 1, 2
        order by 1, 2""",
    "regions": f"""
        select coalesce(r.region_name, 'Unknown region') as region_name,
            sum(p.complaints)::bigint as complaints,
            sum(p.outage_complaints)::bigint as outage_complaints
        from {{marts}}.agg_complaints__periods as p
        left join {{marts}}.dim_regions as r on p.region_code = r.region_code
        where p.period_grain = 'day' and p.period_start {IN_WINDOW}
        group by 1
        order by 2 desc, 1""",
    "sla": f"""
        select priority, count(*)::bigint as tickets,
            count(*) filter (where is_first_response_breached)::bigint
                as first_response_breaches,
            count(*) filter (where is_resolution_breached)::bigint as resolution_breaches
        from {{marts}}.fct_tickets
        where opened_date {IN_WINDOW}
        group by 1
        order by 1""",
    "sla_weekly": f"""
        select date_trunc('week', opened_date)::date as week_start, count(*)::bigint as tickets,
            count(*) filter (where is_resolution_breached)::bigint as resolution_breaches
        from {{marts}}.fct_tickets
        where opened_date {IN_WINDOW}
        group by 1
        order by 1""",
    "spikes": f"""
        select s.window_start_at, coalesce(r.region_name, s.region_code) as region_name,
            s.category_code, s.flagged_complaints::bigint as flagged_complaints,
            s.is_explained, s.incident_id
        from {{marts}}.fct_outage_spikes as s
        left join {{marts}}.dim_regions as r on s.region_code = r.region_code
        where s.detected_date {IN_WINDOW}
        order by 1, 2""",
    "incidents": f"""
        select i.started_at, coalesce(r.region_name, i.region_code) as region_name,
            i.incident_id, i.service, i.severity, i.linked_complaints::bigint as linked_complaints,
            i.was_detected
        from {{marts}}.fct_network_incidents as i
        left join {{marts}}.dim_regions as r on i.region_code = r.region_code
        where i.started_date {IN_WINDOW}
        order by 1, 2""",
    "recurrence": f"""
        select recurrence, count(*)::bigint as complaints
        from {{marts}}.fct_complaints
        where first_contact_date {IN_WINDOW}
        group by 1
        order by 1""",
    "repeat_complainers": f"""
        with per_customer as (
            select customer_id, count(*) as complaints
            from {{marts}}.fct_complaints
            where first_contact_date {IN_WINDOW} and customer_id is not null
            group by 1
        )
        select case when complaints >= 5 then '5 or more' else complaints::text end as bucket,
            count(*)::bigint as customers
        from per_customer
        group by 1
        order by min(complaints)""",
    "churn_bands": """
        select churn_risk_band, count(*)::bigint as customers
        from {marts}.fct_customer_churn_risk
        group by 1
        order by array_position(
            array['churned', 'high', 'medium', 'low', 'none'], churn_risk_band::text
        )""",
    "quarantine_daily": f"""
        select quarantined_date, source_system, sum(quarantined_records)::bigint as records
        from {{marts}}.agg_quarantined_records__daily
        where quarantined_date {IN_WINDOW}
        group by 1, 2
        order by 1, 2""",
    "quarantine_status": """
        select source_system, sum(open_records)::bigint as open_records,
            sum(replayed_records)::bigint as replayed_records,
            sum(dismissed_records)::bigint as dismissed_records
        from {marts}.agg_quarantined_records__status
        group by 1
        order by 1""",
    "pipeline_runs": """
        select run_id, run_status, started_at, duration_seconds, failed_sources
        from {marts}.fct_pipeline_runs
        where started_date >= %(first_day)s
        order by started_at""",
}

KPIS = f"""
    select
        (select count(*) from {{marts}}.fct_complaints
            where first_contact_date {IN_WINDOW}) as complaints,
        (select coalesce(sum(contact_count), 0) from {{marts}}.fct_complaints
            where first_contact_date {IN_WINDOW}) as contacts,
        (select count(*) from {{marts}}.fct_complaints
            where first_contact_date {IN_WINDOW} and recurrence <> 'first') as repeat_complaints,
        (select count(*) from {{marts}}.fct_complaints
            where first_contact_date {IN_WINDOW} and priority = 'P1') as p1_complaints,
        (select count(*) from {{marts}}.fct_tickets
            where opened_date {IN_WINDOW} and is_resolution_breached) as sla_breaches,
        (select count(*) from {{marts}}.fct_outage_spikes
            where detected_date {IN_WINDOW} and not is_explained) as unexplained_spikes,
        (select count(*) from {{marts}}.fct_customer_churn_risk
            where churn_risk_band = 'high') as high_risk_customers,
        (select coalesce(sum(open_records), 0)
            from {{marts}}.agg_quarantined_records__status) as open_quarantined"""
