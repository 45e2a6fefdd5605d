-- Customers as stakeholders may see them: no personal data, only what segments complaints.
with customers as (
    select * from {{ ref('stg_crm__customers') }}
),

plans as (
    select * from {{ ref('stg_crm__plans') }}
),

final as (
    select
        customers.customer_id,
        customers.region_code,
        customers.plan_code,
        plans.plan_name,
        plans.technology,
        plans.monthly_fee_ngn,
        customers.account_status,
        customers.created_at as customer_since
    from customers
    left join plans on customers.plan_code = plans.plan_code
)

select * from final
