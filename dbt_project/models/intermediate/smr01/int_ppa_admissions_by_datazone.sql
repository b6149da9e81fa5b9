-- Potentially preventable emergency admissions (numerator) and population
-- (denominator) by financial year of admission, data zone and age group. A stay
-- is a PPA when its first episode has a condition of PHS's list (ppa_condition in
-- int_emergency_stays). The spine, and the population, are those of the emergency
-- admissions counts, so every data zone has a row and PPAs are a subset of the
-- same stays.
with ppa as (
    select
        stays.financial_year,
        stays.datazone2011,
        groups.age_group,
        count(*)::bigint as ppa_admissions
    from {{ ref('int_emergency_stays') }} as stays
    inner join {{ ref('age_groups') }} as groups
        on stays.age_at_admission between groups.min_age and groups.max_age
    where stays.ppa_condition is not null
    group by all
)

{{ counts_on_spine(ref('int_emergency_admissions_by_datazone'), {'ppa': ['ppa_admissions']},
    spine_columns=['emergency_admissions', 'population']) }}
