-- One row per detected outage spike, explained by a recorded network incident or not: the
-- rule is in int_outage_spikes__explained. A spike that no incident explains is the early
-- warning of an outage nobody has logged yet (the pipeline alerts on it: flows/thresholds.py).
select
    outage_spike_key,
    region_code,
    category_code,
    window_start_at,
    detected_at,
    detected_date,
    last_flagged_at,
    peak_complaints_per_window,
    expected_complaints_per_window,
    flagged_complaints,
    incident_id,
    is_explained,
    detection_lag_minutes
from {{ ref('int_outage_spikes__explained') }}
