-- Each complaint contact resolved to a CRM customer, by the strongest key its channel carries:
-- account number, then phone number, then email, then X handle (all compared as salted hashes).
with contacts as (
    select * from {{ ref('int_complaints__unioned') }}
    where noise_reason is null
),

customers as (
    select * from {{ ref('stg_crm__customers') }}
),

{% for key in ['account_number_hash', 'msisdn_hash', 'email_hash', 'twitter_handle_hash'] %}
customers_by_{{ key }} as (
    -- one customer per key value, so a shared value cannot duplicate contacts
    select
        {{ key }} as key_value,
        min(customer_id) as customer_id
    from customers
    where {{ key }} is not null
    group by {{ key }}
),

{% endfor %}
resolved as (
    select
        contacts.*,
        coalesce(
            by_account.customer_id,
            by_msisdn.customer_id,
            by_email.customer_id,
            by_handle.customer_id
        ) as customer_id,
        case
            when by_account.customer_id is not null then 'account_number'
            when by_msisdn.customer_id is not null then 'msisdn'
            when by_email.customer_id is not null then 'email'
            when by_handle.customer_id is not null then 'twitter_handle'
        end as resolved_by
    from contacts
    left join customers_by_account_number_hash as by_account
        on contacts.account_number_hash = by_account.key_value
    left join customers_by_msisdn_hash as by_msisdn
        on contacts.msisdn_hash = by_msisdn.key_value
    left join customers_by_email_hash as by_email
        on contacts.email_hash = by_email.key_value
    left join customers_by_twitter_handle_hash as by_handle
        on contacts.twitter_handle_hash = by_handle.key_value
)

select * from resolved
