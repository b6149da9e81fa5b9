-- Population aged 65 and over and 75 and over (numerator) and the all-ages
-- population (denominator) for every financial year and data zone. The financial
-- year's population is the mid-year estimate of the year it starts in, as for the
-- rates. Every data zone gets a row for each age group, even with nobody in it.
-- Definition as in the PHS LIST locality profiles (population section:
-- population 65+ / total population x 100).
with population as (
    select year as financial_year, datazone2011, age, sum(population)::bigint as population
    from {{ ref('int_population_datazone_scaled') }}
    group by all
),

groups as (
    select age_group, min_age, max_age
    from {{ ref('age_groups') }}
    where age_group in ('65+', '75+')
)

select
    population.financial_year,
    population.datazone2011,
    groups.age_group,
    sum(case when population.age between groups.min_age and groups.max_age
        then population.population else 0 end)::bigint as population_in_age_group,
    sum(population.population)::bigint as population
from population
cross join groups
group by all
