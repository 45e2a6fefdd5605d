-- Each detected outage spike (see int_outage_spikes__detected) with the network incident
-- recorded in the CRM that explains it, if any: same region, a service whose outages
-- cause complaints of the spike's category, detected while the incident covers the region
-- (macro incident_covers). A spike that no incident explains is the early warning:
-- an outage nobody has logged yet.
with spikes as (
    select * from {{ ref('int_outage_spikes__detected') }}
),

incidents as (
    select * from {{ ref('stg_crm__network_incidents') }}
),

incident_service_categories as (
    select * from {{ ref('incident_service_categories') }}
),

explaining_incidents as (
    select
        spikes.outage_spike_key,
        incidents.incident_id,
        incidents.started_at as incident_started_at
    from spikes
    inner join incident_service_categories
        on spikes.category_code = incident_service_categories.category_code
    inner join incidents
        on
            incident_service_categories.service = incidents.service
            and {{ incident_covers('incidents', 'spikes.region_code', 'spikes.detected_at') }}
),

explained as (
    -- the first incident, when several explain the spike
    {{ first_row_per('explaining_incidents', 'outage_spike_key', 'incident_started_at asc') }}
),

final as (
    select
        spikes.outage_spike_key,
        spikes.region_code,
        spikes.category_code,
        spikes.window_start_at,
        spikes.detected_at,
        {{ utc_date('spikes.detected_at') }} as detected_date,
        spikes.last_flagged_at,
        spikes.peak_complaints_per_window,
        spikes.expected_complaints_per_window,
        spikes.flagged_complaints,
        explained.incident_id,
        explained.incident_id is not null as is_explained,
        -- the cast rounds
        (
            {{ elapsed('minutes', 'explained.incident_started_at', 'spikes.detected_at') }}
        )::numeric(10, 1) as detection_lag_minutes
    from spikes
    left join explained on spikes.outage_spike_key = explained.outage_spike_key
)

select * from final
