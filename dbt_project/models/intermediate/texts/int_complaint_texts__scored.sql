-- What each complaint's text is evidence of, one row per contact with words: a score per
-- category and per signal (the sum of the weights of the distinct terms found), the category
-- the words point to most, the regions it names, and how many distinct words it uses that the
-- dictionary does not know.
--
-- Negation: a negation ("not", "no", "never", "cant") with a category word or a positive verb
-- within three words ("not working", "no network", "network no dey", "I no fit browse") is a
-- problem (1.5); praise just after a negation ("not good", "no fast") is a problem, not praise.
-- Incremental per contact, as every text model (macros/text_contacts_to_build.sql).
-- The contacts to build are read from all contacts, noise included (a contact loaded again
-- may be noise now):
-- depends_on: {{ ref('int_complaints__unioned') }}
-- and are found once a run, before the text models (int_complaint_texts__contacts_to_build):
-- depends_on: {{ ref('int_complaint_texts__contacts_to_build') }}
{%- set signals = [
    'problem', 'praise', 'joke', 'spam', 'greeting', 'staff_test', 'churn', 'legal', 'urgent'
] %}

with matches as (
    select * from {{ ref('int_complaint_texts__matched') }}
    {% if is_incremental() %}
        where {{ is_text_contact_to_build() }}
    {% endif %}
),

tokens as (
    select * from {{ ref('int_complaint_texts__tokenized') }}
    {% if is_incremental() %}
        where {{ is_text_contact_to_build() }}
    {% endif %}
),

category_codes as (
    select * from {{ ref('category_codes') }}
),

negations as (
    select
        contact_key,
        token_position
    from matches
    where term_class = 'negation'
),

anchors as (
    select
        matches.contact_key,
        matches.token_position
    from matches
    left join category_codes on matches.term_class = category_codes.category_code
    where category_codes.category_code is not null or matches.term_class = 'positive_verb'
),

negated_problems as (
    select distinct
        negations.contact_key,
        negations.token_position
    from negations
    inner join anchors
        on
            negations.contact_key = anchors.contact_key
            and anchors.token_position between negations.token_position - 3
            and negations.token_position + 3
            and negations.token_position <> anchors.token_position
),

negated_praise as (
    select distinct
        matches.contact_key,
        matches.term,
        matches.weight
    from matches
    inner join negations
        on
            matches.contact_key = negations.contact_key
            and matches.token_position between negations.token_position + 1
            and negations.token_position + 2
    where matches.term_class = 'praise'
),

distinct_terms as (
    -- a word repeated is no stronger; a plural and its singular are one term
    select
        matches.contact_key,
        matches.term_class,
        matches.term,
        max(matches.weight) as weight,
        min(matches.token_position) as first_position,
        max(matches.region_code) as region_code
    from matches
    left join negated_praise
        on
            matches.contact_key = negated_praise.contact_key
            and matches.term = negated_praise.term
            and matches.term_class = 'praise'
    where negated_praise.term is null
    group by matches.contact_key, matches.term_class, matches.term
),

signals as (
    select
        contact_key,
        term_class,
        weight
    from distinct_terms
    union all
    select
        contact_key,
        'problem' as term_class,
        1.5 as weight
    from negated_problems
    union all
    select
        contact_key,
        'problem' as term_class,
        weight
    from negated_praise
),

class_scores as (
    select
        contact_key,
        term_class,
        sum(weight) as score
    from signals
    group by contact_key, term_class
),

ranked_categories as (
    select
        class_scores.contact_key,
        class_scores.term_class as category_code,
        class_scores.score,
        sum(class_scores.score) over (partition by class_scores.contact_key) as total_score,
        row_number() over (
            partition by class_scores.contact_key
            order by class_scores.score desc, category_codes.precedence asc
        ) as category_rank
    from class_scores
    inner join category_codes on class_scores.term_class = category_codes.category_code
),

region_terms as (
    select * from distinct_terms
    where term_class in ('text_region', 'profile_region')
),

named_regions as (
    {{ first_row_per(
        'region_terms', 'contact_key, term_class', 'first_position asc',
        'contact_key, term_class, region_code'
    ) }}
),

texts as (
    select
        contact_key,
        max(extracted_at) as extracted_at,
        count(*)::int as token_count
    from tokens
    where text_kind = 'text'
    group by contact_key
),

signal_scores as (
    -- one row per contact: the score of each signal, 0 when none
    select
        contact_key,
        {% for signal in signals %}
            coalesce(max(score) filter (where term_class = '{{ signal }}'), 0)
                as {{ signal }}_score,
        {% endfor %}
        coalesce(max(score) filter (where term_class = 'unknown_word'), 0)::int
            as unknown_word_count
    from class_scores
    group by contact_key
),

contact_regions as (
    select
        contact_key,
        max(region_code) filter (where term_class = 'text_region') as text_region_code,
        max(region_code) filter (where term_class = 'profile_region') as profile_region_code
    from named_regions
    group by contact_key
),

final as (
    select
        texts.contact_key,
        texts.token_count,
        top_category.category_code as text_category_code,
        coalesce(top_category.score, 0) as text_category_score,
        coalesce(top_category.total_score, 0) as text_category_total,
        coalesce(signal_scores.unknown_word_count, 0) as unknown_word_count,
        {% for signal in signals %}
            coalesce(signal_scores.{{ signal }}_score, 0) as {{ signal }}_score,
        {% endfor %}
        contact_regions.text_region_code,
        contact_regions.profile_region_code,
        texts.extracted_at,
        {{ text_dictionary_version() }} as dictionary_version
    from texts
    left join ranked_categories as top_category
        on texts.contact_key = top_category.contact_key and top_category.category_rank = 1
    left join signal_scores on texts.contact_key = signal_scores.contact_key
    left join contact_regions on texts.contact_key = contact_regions.contact_key
)

select * from final
