select
    datazone2011,
    datazone2011_name,
    intzone2011,
    intzone2011_name,
    ca2019,
    ca2019_name,
    hscp2019,
    hscp2019_name,
    hb2019,
    hb2019_name
from {{ source('reference', 'geography_dz2011') }}
