-- Emergency admissions and population by financial year, data zone and ESP2013
-- five-year age band (0-4 ... 85-89, 90+): the inputs of a directly age-standardised
-- rate. The population is the spine, so a band with no admissions has a zero count.
with population as (
    select
        pop.year as financial_year,
        pop.datazone2011,
        bands.age_band_index,
        sum(pop.population)::bigint as population
    from {{ ref('int_population_datazone_scaled') }} as pop
    inner join {{ ref('esp2013') }} as bands
        on pop.age between bands.lower_age and bands.upper_age
    group by all
),

admissions as (
    select
        stays.financial_year,
        stays.datazone2011,
        bands.age_band_index,
        count(*)::bigint as emergency_admissions
    from {{ ref('int_emergency_stays') }} as stays
    inner join {{ ref('esp2013') }} as bands
        on stays.age_at_admission between bands.lower_age and bands.upper_age
    group by all
)

{{ counts_on_spine('population', {'admissions': ['emergency_admissions']},
    keys=['financial_year', 'datazone2011', 'age_band_index']) }}
