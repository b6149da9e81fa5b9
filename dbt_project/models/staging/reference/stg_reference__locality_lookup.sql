-- Archived HSCP codes (2018 and 2019 boundary changes) resolve to current ones here.
select
    lookup.datazone2011,
    lookup.hscp_locality as locality_name,
    coalesce(changes.new_code, lookup.hscp2019) as hscp2019,
    lookup.hscp2019 as hscp2019_as_supplied,
    coalesce(lookup.lookup_basis, 'as supplied') as lookup_basis
from {{ source('reference', 'locality_lookup') }} as lookup
left join {{ ref('stg_reference__geography_code_changes') }} as changes
    on changes.geography_level = 'hscp' and changes.old_code = lookup.hscp2019
