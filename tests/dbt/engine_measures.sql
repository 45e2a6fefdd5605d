-- What tests/dbt/test_engines.py compares between the PostgreSQL and the Spark build of one
-- scenario: the rows of every mart, contacts per day and channel, contacts and complaints per
-- category, complaints per day, churn risk bands.
{%- set marts = [] %}
{%- for node in graph.nodes.values()
    if node.resource_type == 'model' and node.fqn[1] == 'marts' %}
    {%- do marts.append(node.name) %}
{%- endfor %}
{%- for name in marts | sort %}
    select 'rows:{{ name }}' as measure, count(*) as value from {{ ref(name) }}
    union all
{%- endfor %}
select
    'contacts:' || cast(received_date as {{ dbt.type_string() }}) || ':' || channel as measure,
    count(*) as value
from {{ ref('fct_complaint_contacts') }}
group by received_date, channel
union all
select
    'contact_categories:' || category_code as measure,
    count(*) as value
from {{ ref('fct_complaint_contacts') }}
group by category_code
union all
select
    'complaints:' || category_code as measure,
    count(*) as value
from {{ ref('fct_complaints') }}
group by category_code
union all
select
    'complaints_per_day:' || cast(first_contact_date as {{ dbt.type_string() }}) as measure,
    count(*) as value
from {{ ref('fct_complaints') }}
group by first_contact_date
union all
select
    'churn_risk:' || churn_risk_band as measure,
    count(*) as value
from {{ ref('fct_customer_churn_risk') }}
group by churn_risk_band
