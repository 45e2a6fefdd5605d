-- An agent opened a ticket from each ticket's source record, so the noise rules (by structure
-- or by words) must not have thrown that record away. Records that never reached the warehouse
-- (quarantined, e.g. a call-centre line cut off mid-copy) and a call's other log lines are not
-- verdicts on it.
with tickets as (
    select * from {{ ref('fct_tickets') }}
),

records as (
    select * from {{ ref('int_complaints__unioned') }}
),

judged as (
    select * from {{ ref('int_complaint_contacts__classified') }}
),

verdicts as (
    -- the verdicts on the tickets' records only: grouping every record sorted them all
    select
        tickets.ticket_id,
        tickets.channel,
        tickets.source_ref,
        bool_or(coalesce(records.noise_reason, judged.noise_reason) is null) as is_kept,
        {{ dbt.listagg(
            'distinct coalesce(records.noise_reason, judged.noise_reason)', "', '"
        ) }} as noise_reasons
    from tickets
    inner join records
        on tickets.channel = records.channel and tickets.source_ref = records.source_ref
    left join judged on records.contact_key = judged.contact_key
    where
        records.noise_reason is null
        or records.noise_reason not in ('call_progress_event', 'debug_line', 'warning_line')
    group by tickets.ticket_id, tickets.channel, tickets.source_ref
)

select
    ticket_id,
    channel,
    source_ref,
    noise_reasons
from verdicts
where not is_kept
