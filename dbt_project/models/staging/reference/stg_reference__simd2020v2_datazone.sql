select
    datazone2011,
    cast(simd2020v2_rank as integer) as simd2020v2_rank,
    cast(simd2020v2_sc_decile as integer) as simd2020v2_sc_decile,
    cast(simd2020v2_sc_quintile as integer) as simd2020v2_sc_quintile,
    cast(simd2020v2_hscp_quintile as integer) as simd2020v2_hscp_quintile
from {{ source('reference', 'simd2020v2_datazone') }}
