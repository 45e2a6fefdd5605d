-- A warning, never a failure: a call-centre reason code or web-form label the mappings do not
-- know yet (real systems add them). Its contacts are still classified by their words (or as
-- UNMAPPED); the rows returned name each new value, so it can be added to category_mappings.
{{ config(severity='warn') }}

with unmapped as (
    select * from {{ ref('agg_unmapped_category_values__daily') }}
)

select
    channel,
    unmapped_value,
    sum(contacts) as contacts,
    min(received_date) as first_seen,
    max(received_date) as last_seen
from unmapped
group by channel, unmapped_value
