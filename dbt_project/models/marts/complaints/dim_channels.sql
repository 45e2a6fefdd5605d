with channels as (
    select * from {{ ref('channels') }}
),

final as (
    select
        channel::text as channel,
        channel_name::text as channel_name,
        source_system::text as source_system
    from channels
)

select * from final
