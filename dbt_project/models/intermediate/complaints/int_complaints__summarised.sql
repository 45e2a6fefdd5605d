-- One row per complaint (see int_complaint_contacts__grouped): its sender, category and how
-- it was decided (the strongest method among its contacts), first and last contact, channels,
-- region (its first contact's that has one), ticket, and the signals its words carry.
with contacts as (
    select * from {{ ref('int_complaint_contacts__grouped') }}
),

category_methods as (
    select *
    from (values ('ticket', 1), ('code', 2), ('dropdown', 2), ('text', 3), ('none', 4))
        as methods (category_method, strength)
),

summarised as (
    select
        contacts.complaint_key,
        min(contacts.identity_key) as identity_key,
        min(contacts.customer_id) as customer_id,
        min(contacts.category_code) as category_code,
        -- code and dropdown are as strong: the first by name, so that every build agrees
        {{ first_by(
            'contacts.category_method', 'category_methods.strength, contacts.category_method'
        ) }} as category_method,
        max(contacts.category_confidence) as category_confidence,
        min(contacts.received_at) as first_contact_at,
        max(contacts.received_at) as last_contact_at,
        count(*) as contact_count,
        count(distinct contacts.channel) as channel_count,
        {{ dbt.listagg(
            'distinct contacts.channel', "','", 'order by contacts.channel'
        ) }} as channels,
        {{ first_by('contacts.channel', 'contacts.received_at, contacts.contact_key') }}
            as first_channel,
        {{ first_by(
            'contacts.region_code', 'contacts.received_at, contacts.contact_key',
            where='contacts.region_code is not null'
        ) }} as region_code,
        max(contacts.ticket_id) as ticket_id,
        sum(contacts.problem_score) as problem_score,
        max(contacts.churn_score) > 0 as has_churn_words,
        max(contacts.legal_score) > 0 as has_legal_words,
        max(contacts.urgent_score) > 0 as has_urgent_words
    from contacts
    inner join category_methods on contacts.category_method = category_methods.category_method
    group by contacts.complaint_key
)

select * from summarised
