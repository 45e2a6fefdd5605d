-- Each macro that writes SQL, called once: the lint test lints what they write.
select
    {{ elapsed('hours', 'calls.started_at', 'calls.ended_at') }} as elapsed_hours,
    {{ normalize_msisdn('calls.caller') }} as msisdn,
    {{ mask_pii('calls.caller') }} as caller_hash,
    {{ scrub_pii_text('calls.notes') }} as notes,
    {{ text_for_tokens('calls.notes') }} as note_text,
    {{ edit_distance('calls.notes', "'no network'", 2) }} as distance,
    {{ text_dictionary_version() }} as dictionary_version
from calls
inner join incidents on {{ incident_covers('incidents', 'calls.region_code', 'calls.started_at') }};

select to_build.contact_key from ({{ text_contacts_to_build() }}) as to_build;

{{ grant_schema_usage(['ci_staging', 'ci_marts'], 'marts', 'reporter') }}
