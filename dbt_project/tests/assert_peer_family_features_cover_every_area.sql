-- peer_family_features has a row for every HSCP and every locality of the data zone
-- hierarchy, the localities of a HSCP add up to its population, and every share is
-- a percentage, urban and rural (disjoint classes) adding to at most 100.
-- Any row returned is a failure; `rule_broken` names the rule.
with expected as (
    select distinct
        'hscp' as geography_level,
        hscp2019 as geography_code
    from {{ ref('int_geography_datazone_hierarchy') }}
    union all
    select distinct
        'locality' as geography_level,
        locality_code as geography_code
    from {{ ref('int_geography_datazone_hierarchy') }}
),

features as (
    select * from {{ ref('peer_family_features') }}
)

select
    'area missing' as rule_broken,
    expected.geography_level,
    expected.geography_code
from expected
left join features
    on expected.geography_level = features.geography_level
        and expected.geography_code = features.geography_code
where features.geography_code is null
union all
select
    'localities do not add to the HSCP' as rule_broken,
    'hscp' as geography_level,
    hscp.geography_code
from features as hscp
inner join (
    select
        hscp2019,
        sum(population) as population
    from features
    where geography_level = 'locality'
    group by hscp2019
) as localities
    on hscp.geography_code = localities.hscp2019
where hscp.geography_level = 'hscp' and hscp.population != localities.population
union all
select
    'not a percentage' as rule_broken,
    geography_level,
    geography_code
from features
where least(percent_65_plus, percent_75_plus, percent_simd_quintile_1, percent_urban, percent_rural) < 0
    or greatest(percent_65_plus, percent_simd_quintile_1, percent_urban + percent_rural) > 100
    or percent_75_plus > percent_65_plus
