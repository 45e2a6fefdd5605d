-- The contacts this run of the text models builds, found once (macros/text_contacts_to_build.sql):
-- the three text models and their pre-hooks read them here, where each of the seven compared
-- every contact with int_complaint_texts__scored again.
-- Empty when no text model is built incrementally: on their first build, on a full refresh,
-- and on Spark, where they are tables.
{{ config(materialized='table') }}

{%- set text_models = ['int_complaint_texts__tokenized', 'int_complaint_texts__matched',
    'int_complaint_texts__scored'] %}
{%- set built = namespace(any=false) %}
{%- for name in text_models %}
    {%- if adapter.get_relation(this.database, this.schema, name) is not none %}
        {%- set built.any = true %}
    {%- endif %}
{%- endfor %}

with contacts_to_build as (
    {%- if target.type == 'postgres' and built.any and not flags.FULL_REFRESH %}
        {{ changed_text_contacts() }}
    {%- else %}
        select contacts.contact_key
        from {{ ref('int_complaints__unioned') }} as contacts
        where 1 = 0
    {%- endif %}
)

select
    contact_key,
    {{ text_dictionary_version() }} as dictionary_version
from contacts_to_build
