-- The words of every complaint's text (and of an X author's profile location), one row per
-- token in order, each rewritten to what it means (text_normalisations: `pls` -> please,
-- `nt` -> not, `wahala` -> problem, `😡` -> angry; particles like `o` dropped).
--
-- Incremental per contact, as every text model (macros/text_contacts_to_build.sql): a run
-- tokenizes the contacts it has not tokenized as loaded now; a change to a text seed, all of
-- them again.
-- Its texts are the contacts that are not noise by their structure, read before they are
-- resolved to a customer (tokens do not depend on who sent them, and the text models need not
-- wait for the resolution). The contacts to build are found once a run, before the text models
-- (int_complaint_texts__contacts_to_build):
-- depends_on: {{ ref('int_complaint_texts__contacts_to_build') }}

{#- read by each kind of text on its own: a CTE read twice is materialised, and the regular
    expressions on its rows then run in one process instead of in parallel workers -#}
{%- set contacts -%}
    (
        select * from {{ ref('int_complaints__unioned') }}
    {%- if is_incremental() %}
        where {{ is_text_contact_to_build() }} and noise_reason is null
    {%- else %}
        where noise_reason is null
    {%- endif %}
    ) as contacts
{%- endset %}

with normalisations as (
    select * from {{ ref('text_normalisations') }}
),

texts as (
    select
        contact_key,
        extracted_at,
        'text' as text_kind,
        {{ text_for_tokens('text_to_classify') }} as spaced_text
    from {{ contacts }}
    where text_to_classify is not null

    union all

    select
        contact_key,
        extracted_at,
        'location' as text_kind,
        {{ text_for_tokens('location_text') }} as spaced_text
    from {{ contacts }}
    where location_text is not null
),

split as (
    select
        texts.contact_key,
        texts.extracted_at,
        texts.text_kind,
        words.word,
        words.word_position
    from texts
    {{ lateral_words('texts.spaced_text', 'words') }}
    where words.word <> ''
),

rewritten as (
    select
        split.contact_key,
        split.extracted_at,
        split.text_kind,
        split.word_position,
        -- a seed's empty meaning loads as null: the word is dropped
        case
            when normalisations.written is null then split.word
            else coalesce(normalisations.meaning, '')
        end as token
    from split
    left join normalisations on split.word = normalisations.written
),

positioned as (
    select
        contact_key,
        extracted_at,
        text_kind,
        row_number() over (
            partition by contact_key, text_kind order by word_position
        )::int as token_position,
        token
    from rewritten
    where token <> ''
),

final as (
    select
        concat_ws('|', contact_key, text_kind, token_position) as token_key,
        contact_key,
        text_kind,
        token_position,
        token,
        extracted_at,
        {{ text_dictionary_version() }} as dictionary_version
    from positioned
)

select * from final
