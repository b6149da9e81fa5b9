-- 28-day emergency readmissions (numerator) and index discharges (denominator) by
-- financial year of discharge, data zone of residence at discharge and age group
-- (age at the index admission); rules in int_readmission_index_stays. The spine is
-- every data zone, year and age group of the population spine: a data zone without
-- discharges has zero counts (record-level data, so absence means none), never a
-- missing row.
with spine as (
    select
        financial_year,
        datazone2011,
        age_group
    from {{ ref('int_population_by_datazone_age_group') }}
),

counts as (
    select
        stays.financial_year,
        stays.datazone2011,
        groups.age_group,
        count(*) filter (where stays.emergency_readmission_28_days)::bigint as readmissions,
        count(*)::bigint as discharges
    from {{ ref('int_readmission_index_stays') }} as stays
    inner join {{ ref('age_groups') }} as groups
        on stays.age_at_admission between groups.min_age and groups.max_age
    group by all
)

{{ counts_on_spine('spine', {'counts': ['readmissions', 'discharges']}, spine_columns=[]) }}
