-- The outage behind each complaint, if any: a network incident recorded in the CRM for its
-- region whose service causes complaints of its category, while it covers the region (macro
-- incident_covers: from shortly before it began to a while after it was resolved); and the
-- detected spike it is part of (whether or not any incident was recorded).
with complaints as (
    select * from {{ ref('int_complaints__summarised') }}
),

incidents as (
    select * from {{ ref('stg_crm__network_incidents') }}
),

incident_service_categories as (
    select * from {{ ref('incident_service_categories') }}
),

spikes as (
    select * from {{ ref('int_outage_spikes__detected') }}
),

covering_incidents as (
    select
        complaints.complaint_key,
        incidents.incident_id,
        incidents.started_at
    from complaints
    inner join incident_service_categories
        on complaints.category_code = incident_service_categories.category_code
    inner join incidents
        on
            incident_service_categories.service = incidents.service
            and {{ incident_covers(
                'incidents', 'complaints.region_code', 'complaints.first_contact_at'
            ) }}
),

-- the first incident, when several cover the complaint
recorded as (
    {{ first_row_per(
        'covering_incidents', 'complaint_key', 'started_at asc', 'complaint_key, incident_id'
    ) }}
),

covering_spikes as (
    select
        complaints.complaint_key,
        spikes.outage_spike_key,
        spikes.detected_at
    from complaints
    inner join spikes
        on
            complaints.region_code = spikes.region_code
            and complaints.category_code = spikes.category_code
            and complaints.first_contact_at
            between spikes.window_start_at and spikes.last_flagged_at
),

spiked as (
    {{ first_row_per(
        'covering_spikes', 'complaint_key', 'detected_at asc', 'complaint_key, outage_spike_key'
    ) }}
),

final as (
    select
        coalesce(recorded.complaint_key, spiked.complaint_key) as complaint_key,
        recorded.incident_id,
        spiked.outage_spike_key
    from recorded
    full outer join spiked on recorded.complaint_key = spiked.complaint_key
)

select * from final
