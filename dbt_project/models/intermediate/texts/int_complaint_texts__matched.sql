-- Every dictionary term found in a complaint's text: words and two-word phrases matched exactly
-- (a plural also as its singular; the longest match wins), and words of five letters or more
-- that are no everyday word matched despite a typo (same first letter, or its first two letters
-- swapped: rbowse; one edit, or two between words of the same length from six letters:
-- netwrok, brwose). Region aliases are found in the text and in the author's profile location.
-- A word of five letters or more that none of these know, not even as a typo, is listed too
-- (class unknown_word): it tells a bare "hello" from "hello, no newok at all".
-- Incremental per contact, as every text model (macros/text_contacts_to_build.sql).
-- The contacts to build are read from all contacts, noise included (a contact loaded again
-- may be noise now):
-- depends_on: {{ ref('int_complaints__unioned') }}
-- and are found once a run, before the text models (int_complaint_texts__contacts_to_build):
-- depends_on: {{ ref('int_complaint_texts__contacts_to_build') }}
{#- read where used, not through one CTE: a CTE read twice is materialised, millions of rows -#}
{%- set tokens -%}
    (
        select * from {{ ref('int_complaint_texts__tokenized') }}
    {%- if is_incremental() %}
        where {{ is_text_contact_to_build() }}
    {%- endif %}
    ) as tokens
{%- endset %}

with terms as (
    select * from {{ ref('text_terms') }}
),

region_aliases as (
    select * from {{ ref('region_aliases') }}
),

common_words as (
    select * from {{ ref('common_words') }}
),

dictionary_grams as (
    -- the words and phrases the matches below look for: the others are not worth carrying
    select term as gram from terms
    union
    select alias as gram from region_aliases
),

single_word_terms as (
    select distinct term
    from terms
    where term not like '% %' and length(term) >= 5
),

unknown_words as (
    select distinct tokens.token
    from {{ tokens }}
    left join terms on tokens.token = terms.term
    left join common_words on tokens.token = common_words.word
    left join region_aliases on tokens.token = region_aliases.alias
    where
        tokens.text_kind = 'text'
        and terms.term is null
        and common_words.word is null
        and region_aliases.alias is null
        and length(tokens.token) >= 5
        and {{ matches_regex('tokens.token', '^[a-z]+$') }}
),

candidate_terms as (
    -- the same first letter, or the first two swapped (two equi-joins: a hash join each)
    select
        unknown_words.token,
        single_word_terms.term
    from unknown_words
    inner join single_word_terms
        on left(unknown_words.token, 1) = left(single_word_terms.term, 1)

    union

    select
        unknown_words.token,
        single_word_terms.term
    from unknown_words
    inner join single_word_terms
        on left(unknown_words.token, 2) = reverse(left(single_word_terms.term, 2))
),

measured_terms as (
    select
        token,
        term,
        {{ edit_distance('token', 'term', 2) }} as distance
    from candidate_terms
    where abs(length(token) - length(term)) <= 2
),

close_terms as (
    select * from measured_terms
    where
        distance <= case
            -- two edits only between words of one length (a swap: netwrok, brwose)
            when length(token) = length(term) and length(term) >= 6 then 2
            else 1
        end
),

corrections as (
    -- the closest term, the first in the alphabet on a tie
    {{ first_row_per('close_terms', 'token', 'distance asc, term asc', 'token, term') }}
),

tokens_with_next as (
    -- in the order of the tokens' key, which its index gives without sorting millions of rows
    select
        tokens.*,
        lead(tokens.token) over (
            partition by tokens.contact_key, tokens.text_kind order by tokens.token_position
        ) as next_token
    from {{ tokens }}
),

corrected_tokens as (
    -- typos mended first, so that a misspelt word still makes its phrase ("no srvice")
    select
        tokens_with_next.contact_key,
        tokens_with_next.extracted_at,
        tokens_with_next.text_kind,
        tokens_with_next.token_position,
        coalesce(corrections.term, tokens_with_next.token) as token,
        corrections.term is not null as is_typo,
        coalesce(next_corrections.term, tokens_with_next.next_token) as next_token,
        next_corrections.term is not null as next_is_typo
    from tokens_with_next
    left join corrections
        on
            tokens_with_next.token = corrections.token
            and tokens_with_next.text_kind = 'text'
    left join corrections as next_corrections
        on
            tokens_with_next.next_token = next_corrections.token
            and tokens_with_next.text_kind = 'text'
),

all_grams as (
    select
        contact_key,
        extracted_at,
        text_kind,
        token_position,
        token as gram,
        case when is_typo then 'typo' else 'exact' end as match_method
    from corrected_tokens
    where token in (select dictionary_grams.gram from dictionary_grams)

    union all

    select
        contact_key,
        extracted_at,
        text_kind,
        token_position,
        token || ' ' || next_token as gram,
        case when is_typo or next_is_typo then 'typo' else 'exact' end as match_method
    from corrected_tokens
    where
        next_token is not null
        and token || ' ' || next_token in (select dictionary_grams.gram from dictionary_grams)

    union all

    -- "calls", "agents": a plural counts as its singular
    select
        contact_key,
        extracted_at,
        text_kind,
        token_position,
        substring(token, 1, length(token) - 1) as gram,
        'singular' as match_method
    from corrected_tokens
    where
        length(token) > 4
        and token like '%s'
        and token not like '%ss'
        and not is_typo
        and substring(token, 1, length(token) - 1) in (
            select dictionary_grams.gram from dictionary_grams
        )
),

term_matches as (
    select
        all_grams.contact_key,
        all_grams.extracted_at,
        all_grams.token_position,
        terms.term_class,
        terms.term,
        terms.weight * case when all_grams.match_method = 'typo' then 0.8 else 1 end as weight,
        all_grams.match_method,
        null::{{ dbt.type_string() }} as region_code
    from all_grams
    inner join terms on all_grams.gram = terms.term
    where all_grams.text_kind = 'text'
),

region_matches as (
    select
        all_grams.contact_key,
        all_grams.extracted_at,
        all_grams.token_position,
        case all_grams.text_kind
            when 'location' then 'profile_region'
            else 'text_region'
        end as term_class,
        region_aliases.alias as term,
        1 as weight,
        all_grams.match_method,
        region_aliases.region_code
    from all_grams
    inner join region_aliases
        on
            all_grams.gram = region_aliases.alias
            and (all_grams.text_kind = 'location' or region_aliases.in_message_text)
    where all_grams.match_method <> 'typo'
),

covered_by_phrases as (
    -- the longest match wins: a word inside a matched two-word phrase does not count alone
    -- ("good morning" is a greeting, not praise; "call back" is service, not network)
    select
        term_matches.contact_key,
        term_matches.token_position + covered.offset_in_phrase as token_position
    from term_matches
    cross join (values (0), (1)) as covered (offset_in_phrase)
    where term_matches.term like '% %'
),

longest_term_matches as (
    -- a phrase joins nothing, so that one covered by two phrases ("close my account") is one row
    select term_matches.*
    from term_matches
    left join covered_by_phrases
        on
            term_matches.term not like '% %'
            and term_matches.contact_key = covered_by_phrases.contact_key
            and term_matches.token_position = covered_by_phrases.token_position
    where covered_by_phrases.contact_key is null
),

recognised_positions as (
    -- a word matched as a term, a plural or part of a phrase is known
    select
        contact_key,
        token_position
    from term_matches
    union
    select
        contact_key,
        token_position
    from covered_by_phrases
),

unknown_word_matches as (
    -- the words that the typo matching could not mend either
    select
        corrected_tokens.contact_key,
        corrected_tokens.extracted_at,
        corrected_tokens.token_position,
        'unknown_word' as term_class,
        corrected_tokens.token as term,
        1 as weight,
        'unknown' as match_method,
        null::{{ dbt.type_string() }} as region_code
    from corrected_tokens
    inner join unknown_words on corrected_tokens.token = unknown_words.token
    left join recognised_positions
        on
            corrected_tokens.contact_key = recognised_positions.contact_key
            and corrected_tokens.token_position = recognised_positions.token_position
    where
        corrected_tokens.text_kind = 'text'
        and not corrected_tokens.is_typo
        and recognised_positions.contact_key is null
),

all_matches as (
    select * from longest_term_matches
    union all
    select * from region_matches
    union all
    select * from unknown_word_matches
),

final as (
    -- one row per match by construction: each gram of a position is a different text
    select
        concat_ws('|', contact_key, token_position, term_class, term, match_method) as match_key,
        contact_key,
        token_position,
        term_class,
        term,
        weight,
        match_method,
        region_code,
        extracted_at,
        {{ text_dictionary_version() }} as dictionary_version
    from all_matches
)

select * from final
