select
    locality_code,
    locality_name,
    hscp2019,
    hscp_name
from {{ source('reference', 'hscp_localities') }}
