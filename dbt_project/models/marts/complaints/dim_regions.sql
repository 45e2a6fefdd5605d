with regions as (
    select * from {{ ref('stg_crm__regions') }}
),

final as (
    select
        region_code,
        region_name,
        state_name
    from regions
)

select * from final
