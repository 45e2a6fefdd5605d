-- Each contact that may be a complaint, judged on its own: is it noise, which category does
-- its strongest signal give, who sent it (an identity to group by) and where they are.
--
-- Noise from the text (social, SMS and web form; a call's disposition already decided): no
-- words at all, or praise, jokes, spam or staff tests outweighing the evidence of a complaint
-- (problem signals plus half the category evidence, at most 1), or a greeting and nothing
-- else: no problem, no category word, and no word the dictionary does not know ("hello, no
-- newok at all" says more than hello). A greeting from someone who complained within the
-- complaint window is a nudge ("hello??"), not noise.
--
-- Category, from the strongest signal: the CRM ticket opened from the contact, the call's
-- reason code or the form's dropdown, else the words (a category scoring 1.5, or 1 with a
-- problem signal). A value the mappings do not know yet
-- falls through to the words, and is counted in the data-quality marts.
{% set text_noise_classes = ['praise', 'joke', 'spam', 'greeting', 'staff_test'] %}

with contacts as (
    select * from {{ ref('int_complaints__resolved') }}
),

scores as (
    select * from {{ ref('int_complaint_texts__scored') }}
),

tickets as (
    {{ first_row_per(ref('stg_crm__tickets'), 'channel, source_ref', 'opened_at desc') }}
),

category_mappings as (
    select * from {{ ref('category_mappings') }}
),

category_codes as (
    select * from {{ ref('category_codes') }}
),

customers as (
    select * from {{ ref('stg_crm__customers') }}
),

call_sites as (
    select * from {{ ref('call_sites') }}
),

judged as (
    select
        contacts.*,
        scores.token_count,
        coalesce(scores.unknown_word_count, 0) as unknown_word_count,
        scores.text_category_code,
        coalesce(scores.text_category_score, 0) as text_category_score,
        coalesce(scores.text_category_total, 0) as text_category_total,
        coalesce(scores.problem_score, 0) as problem_score,
        coalesce(scores.churn_score, 0) as churn_score,
        coalesce(scores.legal_score, 0) as legal_score,
        coalesce(scores.urgent_score, 0) as urgent_score,
        greatest(
            {% for class in text_noise_classes %}
                coalesce(scores.{{ class }}_score, 0){% if not loop.last %},{% endif %}
            {% endfor %}
        ) as noise_score,
        case
            {% for class in text_noise_classes %}
                when
                    coalesce(scores.{{ class }}_score, 0) > 0
                    and coalesce(scores.{{ class }}_score, 0) = greatest(
                        {% for other in text_noise_classes %}
                            coalesce(scores.{{ other }}_score, 0)
                            {%- if not loop.last %},{% endif %}
                        {% endfor %}
                    )
                    then '{{ class }}'
            {% endfor %}
        end as noise_class,
        scores.text_region_code,
        scores.profile_region_code,
        coalesce(
            'customer:' || contacts.customer_id,
            'phone:' || contacts.msisdn_hash,
            'x:' || contacts.twitter_handle_hash,
            'email:' || contacts.email_hash,
            contacts.contact_key
        ) as identity_key
    from contacts
    left join scores on contacts.contact_key = scores.contact_key
),

text_verdicts as (
    select
        *,
        -- one weak word ("line: 0803...", "pls call") names no category unless something is wrong
        text_category_score >= 1.5 or (text_category_score >= 1 and problem_score > 0)
            as names_a_category,
        case
            when channel = 'call_center' then null
            when coalesce(token_count, 0) = 0 then 'empty_text'
            when
                noise_score > problem_score + 0.5 * least(text_category_score, 2)
                -- a greeting is noise only when nothing else is said
                and (
                    noise_class <> 'greeting'
                    or problem_score + text_category_score + unknown_word_count = 0
                )
                then noise_class
        end as text_noise_reason
    from judged
),

with_nudges as (
    select
        *,
        bool_or(text_noise_reason is null) over (
            partition by identity_key
            order by received_at
            range between interval '{{ var("complaint_window") }}' preceding and current row
        ) as complained_recently
    from text_verdicts
),

final as (
    select
        with_nudges.contact_key,
        with_nudges.channel,
        with_nudges.record_key,
        with_nudges.source_ref,
        with_nudges.received_at,
        with_nudges.message_text,
        with_nudges.identity_key,
        with_nudges.customer_id,
        with_nudges.resolved_by,
        case
            when
                with_nudges.text_noise_reason = 'greeting' and with_nudges.complained_recently
                then null
            else with_nudges.text_noise_reason
        end as noise_reason,
        coalesce(
            ticket_codes.category_code,
            mapped_codes.category_code,
            case when with_nudges.names_a_category then with_nudges.text_category_code end
        ) as own_category_code,
        case
            when ticket_codes.category_code is not null then 'ticket'
            when mapped_codes.category_code is not null and with_nudges.channel = 'call_center'
                then 'code'
            when mapped_codes.category_code is not null then 'dropdown'
            when with_nudges.names_a_category then 'text'
        end as own_category_method,
        case
            when ticket_codes.category_code is not null then 1.0
            when mapped_codes.category_code is not null then 0.95
            when with_nudges.names_a_category
                then round(
                    (
                        with_nudges.text_category_score / (with_nudges.text_category_total + 1)
                    )::numeric,
                    2
                )
        end as own_category_confidence,
        with_nudges.channel_category,
        with_nudges.channel_category is not null and category_mappings.raw_value is null
            as is_unmapped_channel_value,
        tickets.ticket_id,
        coalesce(
            customers.region_code,
            with_nudges.profile_region_code,
            with_nudges.text_region_code,
            call_sites.region_code
        ) as region_code,
        case
            when customers.region_code is not null then 'crm'
            when with_nudges.profile_region_code is not null then 'profile'
            when with_nudges.text_region_code is not null then 'text'
            when call_sites.region_code is not null then 'call_site'
        end as region_source,
        with_nudges.problem_score,
        with_nudges.churn_score,
        with_nudges.legal_score,
        with_nudges.urgent_score,
        with_nudges.extracted_at,
        customers.updated_at as customer_updated_at
    from with_nudges
    left join tickets
        on with_nudges.channel = tickets.channel and with_nudges.source_ref = tickets.source_ref
    left join category_codes as ticket_codes
        on tickets.category_code = ticket_codes.category_code
    left join category_mappings
        on
            with_nudges.channel = category_mappings.channel
            and with_nudges.channel_category = category_mappings.raw_value
    left join category_codes as mapped_codes
        on category_mappings.category_code = mapped_codes.category_code
    left join customers on with_nudges.customer_id = customers.customer_id
    left join call_sites on with_nudges.site_code = call_sites.site_code
)

select * from final
