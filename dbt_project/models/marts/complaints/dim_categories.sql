with category_codes as (
    select * from {{ ref('category_codes') }}
),

final as (
    select
        category_code::text as category_code,
        category_name::text as category_name,
        description::text as category_description
    from category_codes
)

select * from final
