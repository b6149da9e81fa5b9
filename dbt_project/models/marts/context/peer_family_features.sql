-- The features of the peer families (transforms.compare.families,
-- docs/methods/peer_families.md): one row per HSCP and per locality, for the last
-- financial year of the run (mid-year population estimate of the year it starts
-- in). Population-weighted shares from the population spine and the data zone
-- hierarchy: aged 65+ and 75+, living in SIMD 2020v2 national quintile 1 data
-- zones, and in urban (6-fold classes 1-2, large and other urban areas) and rural
-- (classes 5-6, accessible and remote rural) data zones of the Scottish Government
-- Urban Rural Classification 2020. Public reference inputs only.
{%- set feature_inputs = ['hscp_population_estimates', 'datazone_population_2021', 'simd2020v2_datazone',
    'urban_rural_dz2011', 'locality_lookup'] %}
with datazones as (
    select
        geo.locality_code,
        geo.locality_name,
        geo.locality_lookup_basis,
        geo.hscp2019,
        geo.hscp2019_name,
        sum(case when spine.age_group = 'All ages' then spine.population else 0 end) as population,
        sum(case when spine.age_group = '65+' then spine.population else 0 end) as population_65_plus,
        sum(case when spine.age_group = '75+' then spine.population else 0 end) as population_75_plus,
        any_value(geo.simd2020v2_sc_quintile) as simd2020v2_sc_quintile,
        any_value(geo.urban_rural_6fold) as urban_rural_6fold
    from {{ ref('int_population_by_datazone_age_group') }} as spine
    inner join {{ ref('int_geography_datazone_hierarchy') }} as geo
        on spine.datazone2011 = geo.datazone2011
    where spine.financial_year = {{ last_financial_year() }}
    group by
        geo.datazone2011,
        geo.locality_code,
        geo.locality_name,
        geo.locality_lookup_basis,
        geo.hscp2019,
        geo.hscp2019_name
),

areas as (
    select
        'hscp' as geography_level,
        hscp2019 as geography_code,
        hscp2019_name as geography_name,
        hscp2019,
        null::varchar as locality_lookup_basis,
        *
        exclude (locality_code, locality_name, locality_lookup_basis, hscp2019, hscp2019_name)
    from datazones
    union all
    select
        'locality' as geography_level,
        locality_code as geography_code,
        locality_name as geography_name,
        hscp2019,
        locality_lookup_basis,
        *
        exclude (locality_code, locality_name, locality_lookup_basis, hscp2019, hscp2019_name)
    from datazones
),

totals as (
    select
        geography_level,
        geography_code,
        geography_name,
        hscp2019,
        locality_lookup_basis,
        sum(population)::bigint as population,
        sum(population_65_plus) as population_65_plus,
        sum(population_75_plus) as population_75_plus,
        sum(case when simd2020v2_sc_quintile = 1 then population else 0 end) as population_simd_quintile_1,
        sum(case when urban_rural_6fold in (1, 2) then population else 0 end) as population_urban,
        sum(case when urban_rural_6fold in (5, 6) then population else 0 end) as population_rural
    from areas
    group by all
)

select
    geography_level,
    geography_code,
    geography_name,
    hscp2019,
    {{ financial_year_label(last_financial_year()) }} as period,
    population,
    100 * population_65_plus / population as percent_65_plus,
    100 * population_75_plus / population as percent_75_plus,
    100 * population_simd_quintile_1 / population as percent_simd_quintile_1,
    100 * population_urban / population as percent_urban,
    100 * population_rural / population as percent_rural,
    locality_lookup_basis,
    {{ inputs_synthetic(feature_inputs) }} as is_synthetic,
    {{ inputs_vintage(feature_inputs) }} as source_vintage
from totals
order by geography_level, geography_code
