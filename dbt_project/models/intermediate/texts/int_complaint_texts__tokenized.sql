-- The words of every complaint's text (and of an X author's profile location), one row per
-- token in order, each rewritten to what it means (text_normalisations: `pls` -> please,
-- `nt` -> not, `wahala` -> problem, `😡` -> angry; particles like `o` dropped).
with contacts as (
    select * from {{ ref('int_complaints__resolved') }}
),

normalisations as (
    select * from {{ ref('text_normalisations') }}
),

texts as (
    select
        contact_key,
        'text' as text_kind,
        {{ text_for_tokens('text_to_classify') }} as spaced_text
    from contacts
    where text_to_classify is not null

    union all

    select
        contact_key,
        'location' as text_kind,
        {{ text_for_tokens('location_text') }} as spaced_text
    from contacts
    where location_text is not null
),

split as (
    select
        texts.contact_key,
        texts.text_kind,
        words.word,
        words.word_position
    from texts
    cross join
        lateral
        regexp_split_to_table(texts.spaced_text, ' ') with ordinality as words (word, word_position)
    where words.word <> ''
),

rewritten as (
    select
        split.contact_key,
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
        token
    from positioned
)

select * from final
