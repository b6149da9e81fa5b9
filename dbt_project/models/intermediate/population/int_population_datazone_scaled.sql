-- Data-zone populations for each year, by sex and single year of age.
--
-- NRS publishes data-zone estimates openly only for mid-2021 (2011-census base);
-- HSCP estimates exist for every year (Census-2022 rebased). Each data zone keeps
-- its mid-2021 share of its HSCP's people of that sex and age, scaled to the HSCP
-- estimate of the year, then rounded by largest remainder so that the data zones
-- add exactly to the HSCP figure. Where a HSCP had nobody of that sex and age in
-- the 2021 data zones, the data zones' all-age shares of that sex are used.
-- Method: docs/methods/population.md.
with base as (
    select
        pop.datazone2011,
        geo.hscp2019,
        pop.sex,
        pop.age,
        pop.population as base_population,
        sum(pop.population) over (partition by geo.hscp2019, pop.sex, pop.age) as base_group_total,
        sum(pop.population) over (partition by pop.datazone2011, pop.sex) as base_datazone_sex_total
    from {{ ref('stg_reference__datazone_population_2021') }} as pop
    inner join {{ ref('stg_reference__geography_dz2011') }} as geo
        on pop.datazone2011 = geo.datazone2011
),

targets as (
    select
        year,
        hscp2019,
        sex,
        age,
        population as hscp_population
    from {{ ref('stg_reference__hscp_population_estimates') }}
    where year between {{ first_financial_year() }} and {{ last_financial_year() }}
),

weighted as (
    select
        targets.year,
        base.datazone2011,
        base.hscp2019,
        base.sex,
        base.age,
        targets.hscp_population,
        case when base.base_group_total > 0 then base.base_population
            else base.base_datazone_sex_total
        end as weight
    from base
    inner join targets
        on base.hscp2019 = targets.hscp2019
            and base.sex = targets.sex
            and base.age = targets.age
),

shares as (
    select
        *,
        hscp_population * weight / sum(weight) over (partition by year, hscp2019, sex, age) as exact_population
    from weighted
),

floored as (
    select
        *,
        floor(exact_population) as floor_population,
        exact_population - floor(exact_population) as remainder,
        hscp_population - sum(floor(exact_population)) over (partition by year, hscp2019, sex, age) as shortfall
    from shares
),

ranked as (
    select
        *,
        row_number() over (
            partition by year, hscp2019, sex, age order by remainder desc, datazone2011
        ) as remainder_rank
    from floored
)

select
    year,
    datazone2011,
    hscp2019,
    sex,
    age,
    cast(floor_population + case when remainder_rank <= shortfall then 1 else 0 end as bigint) as population
from ranked
