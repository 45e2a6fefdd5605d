-- The daily aggregate and every roll-up grain count exactly the contacts of the fact table.
with contacts as (
    select count(*) as contacts from {{ ref('fct_complaint_contacts') }}
),

daily as (
    select sum(complaint_contacts) as contacts from {{ ref('agg_complaint_contacts__daily') }}
),

periods as (
    select
        period_grain,
        sum(complaint_contacts) as contacts
    from {{ ref('agg_complaint_contacts__periods') }}
    group by period_grain
),

mismatches as (
    select
        'daily' as grain,
        daily.contacts
    from daily cross join contacts
    where daily.contacts is distinct from contacts.contacts
    union all
    select
        periods.period_grain as grain,
        periods.contacts
    from periods cross join contacts
    where periods.contacts is distinct from contacts.contacts
)

select * from mismatches
