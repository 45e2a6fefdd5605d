-- Outage spikes: complaints per region and category in the last hour against that region and
-- category's own rate over the week before.
--
-- For each complaint with a region and a category, `recent_complaints` counts the complaints
-- of its region and category in the `spike_window` up to it; the baseline is their rate over
-- the `baseline_days` before it, less the last two hours (so a spike does not raise its own
-- bar), and never below `baseline_floor_per_hour`. The complaint is flagged when the recent
-- count reaches `spike_min_complaints` and lies `spike_z` standard deviations above what the
-- baseline expects (Poisson: the variance is the mean). Flagged complaints less than a window
-- apart make one spike; it is detected at its first flagged complaint.
with complaints as (
    select * from {{ ref('int_complaints__summarised') }}
    where region_code is not null and category_code <> 'UNMAPPED'
),

windowed as (
    select
        complaint_key,
        region_code,
        category_code,
        first_contact_at,
        count(*) over (
            partition by region_code, category_code
            order by first_contact_at
            range between interval '{{ var("spike_window") }}' preceding and current row
        ) as recent_complaints,
        count(*) over (
            partition by region_code, category_code
            order by first_contact_at
            -- both bounds in hours: Spark's frame bounds must be intervals of one unit
            range between interval '{{ var("baseline_days") * 24 }} hours' preceding
            and interval '2 hours' preceding
        ) as history_complaints,
        (
            {{ epoch_seconds('first_contact_at') }} - {{ epoch_seconds(
                "greatest(first_contact_at - interval '" ~ var("baseline_days") ~ " days',"
                ~ " min(first_contact_at) over ())"
            ) }}
        ) / 3600.0 - 2 as history_hours
    from complaints
),

scored as (
    select
        *,
        greatest(
            history_complaints / nullif(greatest(history_hours, 0), 0),
            {{ var("baseline_floor_per_hour") }}
        ) * {{ interval_seconds(var("spike_window")) }} / 3600.0
            as expected_complaints
    from windowed
),

flagged as (
    select
        *,
        coalesce(
            first_contact_at - lag(first_contact_at) over (
                partition by region_code, category_code order by first_contact_at
            ) > interval '{{ var("spike_window") }}',
            true
        ) as starts_spike
    from scored
    where
        recent_complaints >= {{ var("spike_min_complaints") }}
        and recent_complaints
        >= expected_complaints + {{ var("spike_z") }} * sqrt(expected_complaints)
),

numbered as (
    select
        *,
        sum(starts_spike::int) over (
            partition by region_code, category_code order by first_contact_at
        ) as spike_number
    from flagged
),

spikes as (
    select
        region_code,
        category_code,
        spike_number,
        min(first_contact_at) as detected_at,
        max(first_contact_at) as last_flagged_at,
        max(recent_complaints) as peak_complaints_per_window,
        min(expected_complaints) as expected_complaints_per_window,
        count(*) as flagged_complaints
    from numbered
    group by 1, 2, 3
),

final as (
    select
        md5(
            region_code || '|' || category_code || '|'
            || {{ epoch_seconds('detected_at') }}::{{ dbt.type_string() }}
        ) as outage_spike_key,
        region_code,
        category_code,
        detected_at - interval '{{ var("spike_window") }}' as window_start_at,
        detected_at,
        last_flagged_at,
        peak_complaints_per_window::int as peak_complaints_per_window,
        -- the cast rounds
        expected_complaints_per_window::numeric(10, 2) as expected_complaints_per_window,
        flagged_complaints::int as flagged_complaints
    from spikes
)

select * from final
