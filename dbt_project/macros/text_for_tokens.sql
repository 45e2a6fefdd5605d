{% macro text_for_tokens(column) -%}
    {%- set text = namespace(sql=column) -%}
    {#- a hashtag of up to four words: each pass splits one more word off -#}
    {%- for _ in range(3) -%}
        {%- set text.sql = regexp_replace_all(text.sql, '(#[A-Za-z0-9]*[a-z0-9])([A-Z])', '\\1 #\\2') -%}
    {%- endfor -%}
    {%- set text.sql = regexp_replace_all(text.sql, 'https?://\\S+', ' url ') -%}
    {%- set text.sql = ascii_lower(regexp_replace_all(text.sql, '@\\w+', ' ')) -%}
    {%- set text.sql = regexp_replace_all(text.sql, "['’`]", '') -%}
    {%- set text.sql = regexp_replace_all(text.sql, '([^\\x01-\\x7f])', ' \\1 ') -%}
    {%- set text.sql = regexp_replace_all(text.sql, '([a-z])\\1\\1+', '\\1\\1') -%}
    {{ regexp_replace_all(text.sql, '[[:punct:][:space:]]+', ' ') }}
{%- endmacro %}
