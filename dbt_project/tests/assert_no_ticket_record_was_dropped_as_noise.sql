-- An agent opened a ticket from each ticket's source record, so the noise rules must not have
-- thrown that record away. Records that never reached the warehouse (quarantined, e.g. a
-- call-centre line cut off mid-copy) and a call's other log lines are not verdicts on it.
with tickets as (
    select * from {{ ref('fct_tickets') }}
),

contacts as (
    select * from {{ ref('int_complaints__unioned') }}
),

verdicts as (
    select
        channel,
        source_ref,
        bool_or(noise_reason is null) as is_kept,
        string_agg(distinct noise_reason, ', ') as noise_reasons
    from contacts
    where
        noise_reason is null
        or noise_reason not in ('call_progress_event', 'debug_line', 'warning_line')
    group by channel, source_ref
)

select
    tickets.ticket_id,
    tickets.channel,
    tickets.source_ref,
    verdicts.noise_reasons
from tickets
inner join verdicts
    on tickets.channel = verdicts.channel and tickets.source_ref = verdicts.source_ref
where not verdicts.is_kept
