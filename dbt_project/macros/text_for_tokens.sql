{% macro text_for_tokens(column) -%}
    {%- set hashtags = namespace(split=column) -%}
    {#- a hashtag of up to four words: each pass splits one more word off -#}
    {%- for _ in range(3) -%}
        {%- set hashtags.split = "regexp_replace(" ~ hashtags.split
            ~ ", '(#[A-Za-z0-9]*[a-z0-9])([A-Z])', '\\1 #\\2', 'g')" -%}
    {%- endfor -%}
    regexp_replace(
        regexp_replace(
            regexp_replace(
                regexp_replace(
                    lower(
                        regexp_replace(
                            regexp_replace({{ hashtags.split }}, 'https?://\S+', ' url ', 'g'),
                            '@\w+', ' ', 'g'
                        )
                    ),
                    '[''’`]', '', 'g'
                ),
                '([^\x01-\x7f])', ' \1 ', 'g'
            ),
            '([a-z])\1\1+', '\1\1', 'g'
        ),
        '[[:punct:][:space:]]+', ' ', 'g'
    )
{%- endmacro %}
