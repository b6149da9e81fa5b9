-- Emergency admissions for a fall of people aged 65 and over (numerator) and the
-- population aged 65+ (denominator) by financial year of admission and data zone:
-- Core Suite Integration Indicator NI-16. A fall is an emergency stay whose first
-- episode has admission type 33-35 and a W00-W19 external cause in any diagnosis
-- position (is_fall_admission in int_emergency_stays). The spine and population
-- are the 65+ rows of the emergency admissions counts.
with falls as (
    select
        stays.financial_year,
        stays.datazone2011,
        groups.age_group,
        count(*)::bigint as fall_admissions
    from {{ ref('int_emergency_stays') }} as stays
    inner join {{ ref('age_groups') }} as groups
        on stays.age_at_admission between groups.min_age and groups.max_age
    where stays.is_fall_admission
        and groups.age_group = '65+'
    group by all
)

{{ counts_on_spine(ref('int_emergency_admissions_by_datazone'), {'falls': ['fall_admissions']},
    spine_columns=['emergency_admissions', 'population'], where="spine.age_group = '65+'") }}
