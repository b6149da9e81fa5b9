-- Population aged 65 and over and 75 and over (numerator) and the all-ages
-- population (denominator) for every financial year and data zone, from the
-- population spine. The financial year's population is the mid-year estimate of
-- the year it starts in, as for the rates. Every data zone gets a row for each age
-- group, even with nobody in it. Definition as in the PHS LIST locality profiles
-- (population section: population 65+ / total population x 100).
with spine as (
    select * from {{ ref('int_population_by_datazone_age_group') }}
)

select
    in_group.financial_year,
    in_group.datazone2011,
    in_group.age_group,
    in_group.population as population_in_age_group,
    all_ages.population
from spine as in_group
inner join spine as all_ages
    on in_group.financial_year = all_ages.financial_year
        and in_group.datazone2011 = all_ages.datazone2011
        and all_ages.age_group = 'All ages'
where in_group.age_group in ('65+', '75+')
