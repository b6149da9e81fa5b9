-- One row per data zone with every level above it (intermediate zone, locality,
-- HSCP, health board, Scotland), its SIMD 2020v2 national quintile and decile, and
-- its Scottish Government urban-rural class (2020, 6- and 8-fold).
-- Locality names are matched to ScotPHO locality codes within the HSCP, so "&" and
-- "and" spellings agree (name_key is a Python UDF from transforms.udfs).
with localities as (
    select
        *,
        name_key(locality_name) as locality_key
    from {{ ref('stg_reference__hscp_localities') }}
),

lookup as (
    select
        *,
        name_key(locality_name) as locality_key
    from {{ ref('stg_reference__locality_lookup') }}
)

select
    geo.datazone2011,
    geo.datazone2011_name,
    geo.intzone2011,
    geo.intzone2011_name,
    localities.locality_code,
    localities.locality_name,
    lookup.lookup_basis as locality_lookup_basis,
    geo.hscp2019,
    geo.hscp2019_name,
    lookup.hscp2019 as lookup_hscp2019,
    geo.hb2019,
    geo.hb2019_name,
    'S92000003' as country_code,
    'Scotland' as country_name,
    simd.simd2020v2_sc_quintile,
    simd.simd2020v2_sc_decile,
    urban_rural.urban_rural_6fold,
    urban_rural.urban_rural_8fold
from {{ ref('stg_reference__geography_dz2011') }} as geo
left join lookup
    on geo.datazone2011 = lookup.datazone2011
left join localities
    on lookup.locality_key = localities.locality_key
        and lookup.hscp2019 = localities.hscp2019
-- Left joins so that a data zone missing from the SIMD or urban-rural file fails
-- the not_null tests instead of silently dropping out of every indicator.
left join {{ ref('stg_reference__simd2020v2_datazone') }} as simd
    on geo.datazone2011 = simd.datazone2011
left join {{ ref('stg_reference__urban_rural_dz2011') }} as urban_rural
    on geo.datazone2011 = urban_rural.datazone2011
