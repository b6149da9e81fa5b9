select
    datazone2011,
    cast(urban_rural_2fold as integer) as urban_rural_2fold,
    cast(urban_rural_3fold as integer) as urban_rural_3fold,
    cast(urban_rural_6fold as integer) as urban_rural_6fold,
    cast(urban_rural_8fold as integer) as urban_rural_8fold
from {{ source('reference', 'urban_rural_dz2011') }}
