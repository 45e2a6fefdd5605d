with category_codes as (
    select * from {{ ref('category_codes') }}
),

final as (
    select
        category_code::{{ dbt.type_string() }} as category_code,
        category_name::{{ dbt.type_string() }} as category_name,
        description::{{ dbt.type_string() }} as category_description
    from category_codes
)

select * from final
