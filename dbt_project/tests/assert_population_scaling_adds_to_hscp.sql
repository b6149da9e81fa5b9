-- The scaled data-zone populations add exactly to the HSCP estimate of every
-- year, sex and single year of age. Any row returned is a failure.
with scaled as (
    select
        year,
        hscp2019,
        sex,
        age,
        sum(population) as population
    from {{ ref('int_population_datazone_scaled') }}
    group by all
),

estimates as (
    select
        year,
        hscp2019,
        sex,
        age,
        population
    from {{ ref('stg_reference__hscp_population_estimates') }}
    where year between {{ first_financial_year() }} and {{ last_financial_year() }}
)

select *
from estimates
full outer join scaled using (year, hscp2019, sex, age)
where estimates.population is distinct from scaled.population
