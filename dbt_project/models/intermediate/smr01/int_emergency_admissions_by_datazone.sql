-- Emergency admissions, their bed days, and population for every financial year,
-- data zone and age group. The population is the spine: a data zone with no
-- admissions has zero counts (record-level data, so absence means none), never a
-- missing row.
with admissions as (
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

{{ counts_on_spine(ref('int_population_by_datazone_age_group'),
    {'admissions': ['emergency_admissions', 'emergency_bed_days']}) }}
