-- One row per network incident recorded in the CRM: how many complaints it caused (in its
-- region and category, while it lasted and two hours after), whether the warehouse saw the
-- spike, and how long after the incident began.
with incidents as (
    select * from {{ ref('stg_crm__network_incidents') }}
),

incident_service_categories as (
    select * from {{ ref('incident_service_categories') }}
),

spikes as (
    select * from {{ ref('int_outage_spikes__explained') }}
),

complaint_links as (
    select * from {{ ref('int_complaints__outage_linked') }}
),

complaints_per_incident as (
    select
        incident_id,
        count(*) as linked_complaints
    from complaint_links
    where incident_id is not null
    group by 1
),

first_spikes as (
    select
        incident_id,
        min(detected_at) as first_detected_at,
        min(detection_lag_minutes) as detection_lag_minutes
    from spikes
    where incident_id is not null
    group by 1
),

final as (
    select
        incidents.incident_id,
        incidents.region_code,
        incidents.service,
        incident_service_categories.category_code,
        incidents.severity,
        incidents.started_at,
        incidents.resolved_at,
        {{ utc_date('incidents.started_at') }} as started_date,
        round(
            {{ elapsed('minutes', 'incidents.started_at', 'incidents.resolved_at') }}::numeric, 1
        )::numeric(10, 1) as duration_minutes,
        coalesce(complaints_per_incident.linked_complaints, 0)::int as linked_complaints,
        first_spikes.first_detected_at is not null as was_detected,
        first_spikes.first_detected_at,
        first_spikes.detection_lag_minutes
    from incidents
    left join incident_service_categories
        on incidents.service = incident_service_categories.service
    left join complaints_per_incident
        on incidents.incident_id = complaints_per_incident.incident_id
    left join first_spikes on incidents.incident_id = first_spikes.incident_id
)

select * from final
