-- Emergency admissions, their bed days, and population for every financial year,
-- data zone and age group. The population is the spine: a data zone with no
-- admissions has zero counts (record-level data, so absence means none), never a
-- missing row.
with population as (
    select
        financial_year,
        datazone2011,
        age_group,
        population
    from {{ ref('int_population_by_datazone_age_group') }}
),

admissions as (
    select
        stays.financial_year,
        stays.datazone2011,
        groups.age_group,
        count(*)::bigint as emergency_admissions,
        sum(stays.bed_days)::bigint as emergency_bed_days
    from {{ ref('int_emergency_stays') }} as stays
    inner join {{ ref('age_groups') }} as groups
        on stays.age_at_admission between groups.min_age and groups.max_age
    group by all
)

select
    population.financial_year,
    population.datazone2011,
    population.age_group,
    coalesce(admissions.emergency_admissions, 0) as emergency_admissions,
    coalesce(admissions.emergency_bed_days, 0) as emergency_bed_days,
    population.population
from population
left join admissions
    on population.financial_year = admissions.financial_year
        and population.datazone2011 = admissions.datazone2011
        and population.age_group = admissions.age_group
