-- Each dispatched macro (dbt_project/macros/cross_db) on values that tell the engines apart:
-- tests/dbt/test_cross_db.py runs this on PostgreSQL and on Spark and compares every column.
with texts as (
    select
        'Pleeease #NoNetworkSince Monday 😡!! https://x.co/a?b=1 can''t @beejan_ng browse… É'
            as complaint,
        '+234 (803) 555-0134, 0803-555-0135 or mail Ada.O@mail.example.ng' as contact_text,
        ' x  y ' as spaced
),

moments as (
    -- a Sunday's last half hour in UTC is Monday in Lagos (the Spark session's zone in the test)
    select
        {{ utc_instant("timestamp '2024-03-10 23:30:00'") }} as late_sunday,
        {{ utc_instant("timestamp '2024-03-11 00:15:30.25'") }} as early_monday
),

votes as (
    select 'sms' as channel, 3 as strength, 2 as rank_in_group, cast(null as varchar(8)) as region
    union all select 'web', 1, 5, 'LA'
    union all select 'sms', 2, 9, 'AB'
    union all select 'call', 1, 7, null
),

first_votes as (
    {{ first_row_per('votes', 'channel', 'strength asc, rank_in_group desc') }}
)

select
    {{ text_for_tokens('texts.complaint') }} as tokens,
    {{ scrub_pii_text('texts.contact_text') }} as scrubbed,
    {{ ascii_lower("'Ça NE Marche pas, É'") }} as ascii_lowered,
    {{ normalize_msisdn("'+234 (803) 555-0134'") }} as msisdn_international,
    {{ normalize_msisdn("'0803-555-0135'") }} as msisdn_national,
    {{ normalize_msisdn("'8035550136'") }} as msisdn_bare,
    {{ normalize_msisdn("'12345'") }} as msisdn_none,
    {{ regex_literal('\\d+\\.x') }} as regex_as_written,
    {{ matches_regex('texts.spaced', '^ x +y $') }} as spaced_matches,
    {{ regexp_replace_all('texts.spaced', '(x) +(y)', '\\2-\\1') }} as swapped,
    {{ sha256_hex("'Ada ☺'") }} as sha256,
    {{ edit_distance("'netwrok'", "'network'", 2) }} as distance_two,
    {{ edit_distance("'signal'", "'network'", 2) }} as distance_over,
    {{ elapsed('minutes', 'moments.late_sunday', 'moments.early_monday') }} as minutes_between,
    {{ epoch_seconds('moments.early_monday') }} as epoch,
    -- as text too: a complaint's key hashes it
    cast({{ epoch_seconds('moments.early_monday') }} as {{ dbt.type_string() }}) as epoch_text,
    {{ regex_substring('texts.contact_text', '[0-9]{4}-[0-9]{3}-[0-9]{4}') }} as first_dashed_number,
    {{ regex_substring('texts.spaced', '[0-9]+') }} as no_number,
    {{ array_to_text(
        "array['sms', 'web']" if target.type == 'postgres' else "array('sms', 'web')", "', '"
    ) }} as channel_list,
    {{ interval_seconds('90 minutes') }} as window_seconds,
    {{ utc_date('moments.late_sunday') }} as sunday,
    {{ utc_date('moments.early_monday') }} as monday,
    {{ iso_day_of_week(utc_date('moments.late_sunday')) }} as sunday_number,
    {{ iso_day_of_week(utc_date('moments.early_monday')) }} as monday_number,
    (select count(*) from ({{ day_series("date '2024-02-27'", "date '2024-03-02'") }}) as days)
        as leap_days,
    (
        select {{ dbt.listagg('distinct votes.channel', "','", 'order by votes.channel') }}
        from votes
    ) as channels,
    (select {{ first_by('votes.channel', 'votes.strength, votes.rank_in_group') }} from votes)
        as first_channel,
    (
        select {{ first_by('votes.region', 'votes.rank_in_group', 'votes.region is not null') }}
        from votes
    ) as first_region,
    (
        select {{ dbt.listagg("first_votes.channel || ':' || first_votes.rank_in_group", "'|'", 'order by first_votes.channel') }}
        from first_votes
    ) as first_per_channel,
    (
        select {{ dbt.listagg("words.word", "' '", 'order by words.word_position desc') }}
        from (select 'one two three' as line) as lines
        {{ lateral_words('lines.line', 'words') }}
    ) as words_backwards,
    {{ json_keys_where_set(
        "'{\"sms\": {\"rows\": 3}, \"web\": {\"error\": \"timeout\"}, \"call\": {\"error\": \"x\"}}'",
        'error'
    ) }} as failed_sources,
    cast(123 as {{ dbt.type_string() }}) as number_text,
    cast(null as {{ type_instant() }}) is null as instant_type_exists,
    cast(null as {{ type_string_array() }}) is null as string_array_type_exists,
    {{ row_as_json('texts') }} is not null as row_json
from texts
cross join moments
