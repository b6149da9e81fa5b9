-- The ESP2013 bands hold every emergency admission and every resident of the
-- all-ages counts, in every financial year and data zone.
with bands as (
    select
        financial_year,
        datazone2011,
        sum(emergency_admissions) as emergency_admissions,
        sum(population) as population
    from {{ ref('int_emergency_admissions_by_datazone_band') }}
    group by all
),

all_ages as (
    select
        financial_year,
        datazone2011,
        emergency_admissions,
        population
    from {{ ref('int_emergency_admissions_by_datazone') }}
    where age_group = 'All ages'
)

select *
from bands
full outer join all_ages using (financial_year, datazone2011)
where bands.emergency_admissions is distinct from all_ages.emergency_admissions
    or bands.population is distinct from all_ages.population
