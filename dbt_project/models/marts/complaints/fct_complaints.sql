-- One row per complaint: a sender's contacts about one problem, across channels (see
-- int_complaint_contacts__grouped), with its ticket, the outage behind it, whether it recurs,
-- and its priority and risk.
--
-- Recurrence: the same sender's previous complaint of the same category began at most 7 days
-- earlier (repeat_7d), at most 30 (repeat_30d), else first.
--
-- Priority (documented rules, first that holds):
--   P1  legal or regulator words (NCC, lawyer, court, fraud, police...), a network outage in
--       its region behind it (a recorded incident or a detected spike), or a P1 ticket;
--   P2  churn words (cancel, switch to a competitor, port my number), urgency words, a repeat
--       within 7 days still unresolved, or a customer on a paid plan (postpaid, fibre);
--   P4  no category and no problem words;
--   P3  the rest.
-- Risk: high for legal or churn words, or a repeat within 7 days still unresolved; medium for
-- the other P1 and P2 and for any repeat; low otherwise.
with complaints as (
    select * from {{ ref('int_complaints__summarised') }}
),

tickets as (
    select * from {{ ref('stg_crm__tickets') }}
),

customers as (
    select * from {{ ref('dim_customers') }}
),

outage_links as (
    select * from {{ ref('int_complaints__outage_linked') }}
),

with_history as (
    select
        complaints.*,
        lag(complaints.first_contact_at) over (
            partition by complaints.identity_key, complaints.category_code
            order by complaints.first_contact_at, complaints.complaint_key
        ) as previous_complaint_at
    from complaints
),

enriched as (
    select
        with_history.*,
        case
            when with_history.previous_complaint_at is null then 'first'
            when
                with_history.first_contact_at - with_history.previous_complaint_at
                <= interval '7 days' then 'repeat_7d'
            when
                with_history.first_contact_at - with_history.previous_complaint_at
                <= interval '30 days' then 'repeat_30d'
            else 'first'
        end as recurrence,
        tickets.priority as ticket_priority,
        tickets.ticket_status,
        tickets.resolved_at as ticket_resolved_at,
        tickets.ticket_status in ('resolved', 'closed') as is_resolved,
        coalesce(customers.monthly_fee_ngn, 0) > 0 as is_on_paid_plan,
        outage_links.incident_id,
        outage_links.outage_spike_key
    from with_history
    left join tickets on with_history.ticket_id = tickets.ticket_id
    left join customers on with_history.customer_id = customers.customer_id
    left join outage_links on with_history.complaint_key = outage_links.complaint_key
),

prioritised as (
    select
        *,
        case
            when has_legal_words then 'legal or regulator words'
            when incident_id is not null then 'recorded network incident'
            when outage_spike_key is not null then 'detected outage spike'
            when ticket_priority = 'P1' then 'P1 ticket'
            when has_churn_words then 'churn words'
            when has_urgent_words then 'urgency words'
            when recurrence = 'repeat_7d' and not coalesce(is_resolved, false)
                then 'repeat within 7 days, unresolved'
            when is_on_paid_plan then 'paid plan'
            when category_code = 'UNMAPPED' and problem_score = 0 then 'nothing to act on'
            else 'standard'
        end as priority_reason
    from enriched
),

final as (
    select
        complaint_key,
        customer_id,
        category_code,
        category_method,
        category_confidence::numeric(4, 2) as category_confidence,
        first_contact_at,
        last_contact_at,
        {{ utc_date('first_contact_at') }} as first_contact_date,
        contact_count::int as contact_count,
        channel_count::int as channel_count,
        channels,
        first_channel,
        region_code,
        ticket_id,
        ticket_status,
        coalesce(is_resolved, false) as is_resolved,
        incident_id,
        outage_spike_key,
        recurrence,
        previous_complaint_at,
        case
            when priority_reason in (
                'legal or regulator words',
                'recorded network incident',
                'detected outage spike',
                'P1 ticket'
            ) then 'P1'
            when priority_reason in (
                'churn words',
                'urgency words',
                'repeat within 7 days, unresolved',
                'paid plan'
            ) then 'P2'
            when priority_reason = 'nothing to act on' then 'P4'
            else 'P3'
        end as priority,
        priority_reason,
        case
            when has_legal_words or has_churn_words then 'high'
            when recurrence = 'repeat_7d' and not coalesce(is_resolved, false) then 'high'
            when priority_reason in (
                'recorded network incident',
                'detected outage spike',
                'P1 ticket',
                'urgency words',
                'paid plan'
            ) or recurrence <> 'first' then 'medium'
            else 'low'
        end as risk_level,
        has_churn_words,
        has_legal_words
    from prioritised
)

select * from final
