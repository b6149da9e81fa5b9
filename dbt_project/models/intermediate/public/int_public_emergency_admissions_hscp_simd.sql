{{ config(enabled=input_supplied('public_admissions_hscp_simd')) }}

-- Published emergency admissions (PHS "Hospital admissions by HSCP and
-- deprivation", weekly) summed over each complete financial year, by HSCP and
-- SIMD quintile, with the population living in that HSCP's data zones of that
-- quintile as denominator. The spine is the population: every HSCP x quintile
-- with residents gets a row; the seven with no data zone at all (e.g. no quintile 1
-- in Orkney) get none, and are true zeros, not suppressed cells.
--
-- The file leaves out cells below 5 (suppressed) and any zero cells alike, so an
-- absent week x HSCP x quintile cell is 0 to 4 admissions: weeks_absent counts them,
-- and the sum is a lower bound when it is above zero.
with admissions as (
    select * from {{ ref('stg_public__admissions_hscp_simd') }}
),

-- A financial year is complete when its first week ends within 7 days of 1 April,
-- its last within 7 days of 31 March, and no week in between is missing (weeks are
-- assigned to the year of their last day, as in the staging model).
complete_years as (
    select
        financial_year,
        count(*) as weeks_in_year
    from (
        select distinct
            financial_year,
            week_ending
        from admissions
    )
    group by financial_year
    having min(week_ending) < make_date(financial_year, 4, 1) + 7
        and max(week_ending) > make_date(financial_year + 1, 3, 31) - 7
        and count(*) = date_diff('day', min(week_ending), max(week_ending)) // 7 + 1
),

emergency as (
    select
        financial_year,
        hscp2019,
        simd_quintile,
        count(*) as weeks_published,
        sum(admissions)::bigint as emergency_admissions
    from admissions
    where admission_type = 'Emergency'
    group by all
),

population as (
    select
        pop.financial_year,
        pop.hscp2019,
        simd.simd2020v2_sc_quintile as simd_quintile,
        sum(pop.population)::bigint as population
    from {{ ref('int_population_by_datazone_age_group') }} as pop
    inner join {{ ref('stg_reference__simd2020v2_datazone') }} as simd
        on pop.datazone2011 = simd.datazone2011
    where pop.age_group = 'All ages'
    group by all
    having sum(pop.population) > 0
),

spine as (
    select
        population.*,
        complete_years.weeks_in_year
    from population
    inner join complete_years on population.financial_year = complete_years.financial_year
)

-- Full join: published admissions in a HSCP x quintile without residents would have
-- no denominator; they keep a row with a null population, which fails its test.
select
    coalesce(spine.financial_year, emergency.financial_year) as financial_year,
    coalesce(spine.hscp2019, emergency.hscp2019) as hscp2019,
    coalesce(spine.simd_quintile, emergency.simd_quintile) as simd_quintile,
    spine.weeks_in_year,
    coalesce(emergency.weeks_published, 0) as weeks_published,
    spine.weeks_in_year - coalesce(emergency.weeks_published, 0) as weeks_absent,
    coalesce(emergency.emergency_admissions, 0) as emergency_admissions,
    spine.population
from spine
full outer join (
    select * from emergency
    where financial_year in (select financial_year from complete_years)
        and financial_year between {{ first_financial_year() }} and {{ last_financial_year() }}
) as emergency
    on spine.financial_year = emergency.financial_year
        and spine.hscp2019 = emergency.hscp2019
        and spine.simd_quintile = emergency.simd_quintile
