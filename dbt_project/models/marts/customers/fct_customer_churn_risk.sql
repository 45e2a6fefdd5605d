-- One row per CRM customer: how much they have complained lately and how likely they are to
-- leave, as of the newest complaint in the warehouse (so a rebuild of old data tells the
-- same story). No personal data: ids, region and plan only.
--
-- Risk score (documented rule): 2 per complaint in the last 30 days (at most 4 counted),
-- 1 per complaint in the last 90 days (at most 6), 3 when one of them repeated another of its
-- category within 7 days, 3 per ticket still open past its SLA (at most 2), 2 when one was
-- caused by a network outage, 4 when one used churn words (cancel, switch, port my number).
-- Band: churned (the account was closed after a complaint), high (10 or more), medium (5 to
-- 9), low (1 to 4), none (no complaint in 90 days).
with customers as (
    select * from {{ ref('dim_customers') }}
),

complaints as (
    select * from {{ ref('fct_complaints') }}
),

tickets as (
    select * from {{ ref('fct_tickets') }}
),

customer_versions as (
    -- every version of each customer, from the snapshot; Spark keeps no snapshots (a Parquet
    -- lake cannot merge), so there a customer's current version is the one it knows
    {% if target.type == 'postgres' %}
        select * from {{ ref('snp_crm__customers') }}
    {% else %}
        select
            *,
            updated_at as dbt_valid_from
        from {{ ref('stg_crm__customers') }}
    {% endif %}
),

as_of as (
    select coalesce(max(first_contact_at), now()) as as_of_at from complaints
),

complaint_history as (
    select
        complaints.customer_id,
        count(*) filter (
            where complaints.first_contact_at > as_of.as_of_at - interval '30 days'
        ) as complaints_30d,
        count(*) filter (
            where complaints.first_contact_at > as_of.as_of_at - interval '90 days'
        ) as complaints_90d,
        count(*) filter (
            where
            complaints.first_contact_at > as_of.as_of_at - interval '90 days'
            and complaints.recurrence = 'repeat_7d'
        ) as repeats_7d_90d,
        count(*) filter (
            where
            complaints.first_contact_at > as_of.as_of_at - interval '90 days'
            and (complaints.incident_id is not null or complaints.outage_spike_key is not null)
        ) as outage_complaints_90d,
        count(*) filter (
            where
            complaints.first_contact_at > as_of.as_of_at - interval '90 days'
            and complaints.has_churn_words
        ) as churn_word_complaints_90d,
        min(complaints.first_contact_at) as first_complaint_at,
        max(complaints.first_contact_at) as last_complaint_at
    from complaints
    cross join as_of
    where complaints.customer_id is not null
    group by complaints.customer_id
),

open_breaches as (
    select
        customer_id,
        count(*) as open_tickets_past_sla
    from tickets
    where ticket_status in ('open', 'in_progress') and is_resolution_breached
    group by customer_id
),

closures as (
    select
        customer_id,
        min(dbt_valid_from) as closed_at
    from customer_versions
    where account_status = 'closed'
    group by customer_id
),

scored as (
    select
        customers.customer_id,
        customers.region_code,
        customers.plan_code,
        customers.technology,
        customers.account_status,
        as_of.as_of_at,
        coalesce(complaint_history.complaints_30d, 0)::int as complaints_30d,
        coalesce(complaint_history.complaints_90d, 0)::int as complaints_90d,
        coalesce(complaint_history.repeats_7d_90d, 0)::int as repeat_complaints_90d,
        coalesce(open_breaches.open_tickets_past_sla, 0)::int as open_tickets_past_sla,
        coalesce(complaint_history.outage_complaints_90d, 0)::int as outage_complaints_90d,
        coalesce(complaint_history.churn_word_complaints_90d, 0)::int
            as churn_word_complaints_90d,
        complaint_history.first_complaint_at,
        complaint_history.last_complaint_at,
        closures.closed_at is not null
        and closures.closed_at > complaint_history.first_complaint_at
            as closed_after_complaining
    from customers
    cross join as_of
    left join complaint_history on customers.customer_id = complaint_history.customer_id
    left join open_breaches on customers.customer_id = open_breaches.customer_id
    left join closures on customers.customer_id = closures.customer_id
),

risk_scored as (
    select
        *,
        (
            2 * least(complaints_30d, 4)
            + least(complaints_90d, 6)
            + case when repeat_complaints_90d > 0 then 3 else 0 end
            + 3 * least(open_tickets_past_sla, 2)
            + case when outage_complaints_90d > 0 then 2 else 0 end
            + case when churn_word_complaints_90d > 0 then 4 else 0 end
        )::int as churn_risk_score
    from scored
),

final as (
    select
        customer_id,
        region_code,
        plan_code,
        technology,
        account_status,
        as_of_at,
        complaints_30d,
        complaints_90d,
        repeat_complaints_90d,
        open_tickets_past_sla,
        outage_complaints_90d,
        churn_word_complaints_90d,
        first_complaint_at,
        last_complaint_at,
        coalesce(closed_after_complaining, false) as closed_after_complaining,
        churn_risk_score,
        case
            when closed_after_complaining then 'churned'
            when complaints_90d = 0 then 'none'
            when churn_risk_score >= 10 then 'high'
            when churn_risk_score >= 5 then 'medium'
            else 'low'
        end as churn_risk_band
    from risk_scored
)

select * from final
