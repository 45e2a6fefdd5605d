-- One row per CRM ticket with its service-level measures. A ticket still waiting counts as
-- breached once its target has passed (measured at build time), so open backlogs show up.
with tickets as (
    select * from {{ ref('stg_crm__tickets') }}
),

sla_targets as (
    select * from {{ ref('sla_targets') }}
),

measured as (
    select
        tickets.*,
        sla_targets.first_response_hours,
        sla_targets.resolution_hours,
        {{ elapsed('hours', 'tickets.opened_at', 'tickets.first_response_at') }}
            as hours_to_first_response,
        {{ elapsed('hours', 'tickets.opened_at', 'tickets.resolved_at') }} as hours_to_resolve,
        {{ elapsed('hours', 'tickets.opened_at', 'coalesce(tickets.first_response_at, now())') }}
            as hours_waiting_for_response,
        {{ elapsed('hours', 'tickets.opened_at', 'coalesce(tickets.resolved_at, now())') }}
            as hours_waiting_for_resolution
    from tickets
    left join sla_targets on tickets.priority = sla_targets.priority
),

final as (
    select
        ticket_id,
        customer_id,
        channel,
        source_ref,
        category_code,
        priority,
        ticket_status,
        opened_at,
        {{ utc_date('opened_at') }} as opened_date,
        first_response_at,
        resolved_at,
        hours_to_first_response::numeric(10, 2) as hours_to_first_response,
        hours_to_resolve::numeric(10, 2) as hours_to_resolve,
        first_response_hours as first_response_target_hours,
        resolution_hours as resolution_target_hours,
        hours_waiting_for_response > first_response_hours as is_first_response_breached,
        hours_waiting_for_resolution > resolution_hours as is_resolution_breached
    from measured
)

select * from final
