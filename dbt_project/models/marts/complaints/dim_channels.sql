with channels as (
    select * from {{ ref('channels') }}
),

final as (
    select
        channel::{{ dbt.type_string() }} as channel,
        channel_name::{{ dbt.type_string() }} as channel_name,
        source_system::{{ dbt.type_string() }} as source_system
    from channels
)

select * from final
