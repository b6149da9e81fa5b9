-- The all-ages population of every financial year and data zone (population
-- spine), with the data zone's SIMD 2020v2 national (population-weighted)
-- quintile, and that population again in the column of its quintile (zero in the
-- other four), so that a sum of population_quintile_<q> over any area is the
-- area's population living in quintile q. As in the PHS LIST locality profiles
-- (SIMD section), which use simd2020v2_sc_quintile.
select
    pop.financial_year,
    pop.datazone2011,
    pop.age_group,
    simd.simd2020v2_sc_quintile as simd_quintile,
    {% for q in range(1, 6) %}
        case when simd.simd2020v2_sc_quintile = {{ q }} then pop.population else 0 end::bigint
            as population_quintile_{{ q }},
    {% endfor %}
    pop.population
from {{ ref('int_population_by_datazone_age_group') }} as pop
-- a data zone without a quintile fails the not_null test
left join {{ ref('stg_reference__simd2020v2_datazone') }} as simd
    on pop.datazone2011 = simd.datazone2011
where pop.age_group = 'All ages'
