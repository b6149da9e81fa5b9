-- The population spine: the population of every financial year, data zone and age
-- group (seed age_groups), from the scaled data-zone estimates (the mid-year
-- estimate of the calendar year the financial year starts in). Every data zone of
-- every year has a row for every age group, zero when nobody of those ages lives
-- there, so the counts left-joined onto it are zero, never a missing row. Every
-- model that needs a population, or every data zone, year and age group, starts
-- from here.
with population as (
    select
        year as financial_year,
        datazone2011,
        hscp2019,
        age,
        sum(population)::bigint as population
    from {{ ref('int_population_datazone_scaled') }}
    group by all
)

select
    population.financial_year,
    population.datazone2011,
    population.hscp2019,
    groups.age_group,
    groups.min_age,
    groups.max_age,
    sum(case when population.age between groups.min_age and groups.max_age
            then population.population
        else 0
    end)::bigint as population
from population
cross join {{ ref('age_groups') }} as groups
group by all
