-- Each macro that writes SQL, called once: the lint test lints what they write.
select
    words.word,
    {{ regex_literal('[a-z]+') }} as word_pattern,
    null::{{ type_instant() }} as no_instant,
    null::{{ type_string_array() }} as no_names,
    {{ elapsed('hours', 'calls.started_at', 'calls.ended_at') }} as elapsed_hours,
    {{ epoch_seconds('calls.started_at') }} as started_epoch,
    {{ interval_seconds('60 minutes') }} as window_seconds,
    {{ utc_instant('calls.logged_at') }} as logged_at,
    {{ utc_date('calls.started_at') }} as started_date,
    {{ iso_day_of_week('calls.started_date') }} as started_weekday,
    {{ matches_regex('calls.caller', '^[0-9]+$') }} as is_numeric,
    {{ regexp_replace_all('calls.notes', '\\s+', ' ') }} as spaced_notes,
    {{ ascii_lower('calls.notes') }} as lower_notes,
    {{ normalize_msisdn('calls.caller') }} as msisdn,
    {{ mask_pii('calls.caller') }} as caller_hash,
    {{ sha256_hex('calls.caller') }} as caller_sha,
    {{ scrub_pii_text('calls.notes') }} as notes,
    {{ text_for_tokens('calls.notes') }} as note_text,
    {{ edit_distance('calls.notes', "'no network'", 2) }} as distance,
    {{ json_keys_where_set('calls.results', 'error') }} as failed_results,
    {{ array_to_text('calls.tags', "', '") }} as tag_list,
    {{ regex_substring('calls.notes', '[0-9]{11}') }} as typed_number,
    {{ row_as_json('calls') }} as call_json,
    {{ text_dictionary_version() }} as dictionary_version,
    {{ inputs_fingerprint(['keyword_messages'], with_pii_salt=true) }} as inputs_version,
    {{ contact_inputs_version() }} as contact_inputs_version
from calls
{{ lateral_words('calls.notes', 'words') }}
inner join incidents on {{ incident_covers('incidents', 'calls.region_code', 'calls.started_at') }};

select
    calls.caller,
    {{ first_by('calls.region_code', 'calls.started_at, calls.call_id', 'calls.region_code is not null') }}
        as first_region,
    {{ dbt.listagg('distinct calls.region_code', "','", 'order by calls.region_code') }} as regions,
    max(calls.duration)::{{ dbt.type_string() }} as longest
from calls
group by calls.caller;

{{ first_row_per('calls', 'caller', 'started_at desc', 'caller, started_at') }};

{{ day_series("date '2024-01-01'", "date '2024-01-31'") }};

{{ raw_rows('calls', 'call_id') }};

{{ unioned_records_to_build('calls', 'call_center', 'call_id', false) }};

with calls_now as (select * from calls)

{{ rows_to_write('calls_now', 'call_id', 'started_date') }};

with calls_now as (select * from calls)

{{ changed_rows('calls_now', 'call_id') }};

select to_build.contact_key from ({{ text_contacts_to_build() }}) as to_build;

select changed.contact_key from ({{ changed_text_contacts() }}) as changed;

select unioned.contact_key
from {{ ref('int_complaints__unioned') }} as unioned
where {{ is_text_contact_to_build('unioned.contact_key') }};

{{ update_statistics('calls') }};

{{ unique_key_index('calls', ['call_id', 'started_date']) }};

{{ unique_key_violations('calls', ['call_id']) }};

{{ grant_schema_usage(['ci_staging', 'ci_marts'], 'marts', 'reporter') }}
