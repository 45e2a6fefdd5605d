{#- The text models (models/intermediate/texts) are incremental per contact: a contact's tokens,
    matches and scores depend on its own text and on the text seeds only.
    int_complaint_texts__scored, one row per contact and built last, records what the three
    hold: a run builds the contacts it does not hold as loaded now, and a change to a text seed
    builds them all again. -#}

{% macro text_contacts_to_build() -%}
    {#- The contacts an incremental run of a text model builds (changed_text_contacts): as
        int_complaint_texts__contacts_to_build found them once for the run that built it, and
        found here otherwise (a run that selects some of the text models only). -#}
    {%- if 'model.' ~ project_name ~ '.' ~ 'int_complaint_texts__contacts_to_build'
        in selected_resources %}
        select contact_key from {{ ref('int_complaint_texts__contacts_to_build') }}
    {%- else %}
        {{ changed_text_contacts() }}
    {%- endif %}
{%- endmacro %}

{% macro is_text_contact_to_build(column='contact_key') -%}
    {#- True where `column` names a contact this run of a text model builds (on PostgreSQL, as
        the text models are incremental there alone). `= any(array(...))`, not `in (...)`: the
        planner, sampling millions of token rows, took each contact for ten times the rows it
        has and read every token in a hash join (2.6 s), where the index finds a day's contacts
        (0.6 s for 80,714 of 1.5M contacts). -#}
    {{ column }} = any(array({{ text_contacts_to_build() }}))
{%- endmacro %}

{% macro changed_text_contacts() -%}
    {#- The contacts an incremental run of a text model builds: those int_complaint_texts__scored
        does not hold as loaded now, among those loaded since its newest less the lookback
        (loads still in flight during the last build): new contacts with a text, and contacts
        it holds that were loaded again (one that is noise now has its rows deleted and none
        built). All of them when it was built with other seeds. Compared row by row, not by time
        alone: a run minutes after the last builds only what that one did not. -#}
    {%- set scored = adapter.get_relation(
        this.database, this.schema, 'int_complaint_texts__scored'
    ) %}
    select contacts.contact_key
    from {{ ref('int_complaints__unioned') }} as contacts
    {%- set current = scored is not none and built_with_inputs(
        scored, 'dictionary_version', text_dictionary_version()
    ) %}
    {%- if current %}
        where
            contacts.extracted_at > coalesce(
                (
                    select max(built.extracted_at) - interval '{{ var("incremental_lookback") }}'
                    from {{ scored }} as built
                ),
                cast('0001-01-01' as {{ type_instant() }})
            )
            and not exists (
                select 1
                from {{ scored }} as built
                where
                    built.contact_key = contacts.contact_key
                    and built.extracted_at = contacts.extracted_at
            )
            and (
                (
                    contacts.noise_reason is null
                    and coalesce(contacts.text_to_classify, contacts.location_text) is not null
                )
                or exists (
                    select 1
                    from {{ scored }} as built
                    where built.contact_key = contacts.contact_key
                )
            )
    {%- endif %}
{%- endmacro %}

{% macro delete_text_rows_to_build() -%}
    {#- A pre-hook: the rows of the contacts the run builds go first, so that a contact whose
        new text gives fewer rows, or none, keeps no old ones. -#}
    {%- if is_incremental() %}
        delete from {{ this }}
        where {{ is_text_contact_to_build() }}
    {%- endif %}
{%- endmacro %}
