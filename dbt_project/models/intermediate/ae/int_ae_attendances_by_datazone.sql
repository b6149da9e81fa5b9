-- A&E counts for every financial year, data zone of residence and age group, with
-- the population. The population is the spine: a data zone with no attendances has
-- zero counts (record-level data, so absence means none), never a missing row.
--   attendances     new and unplanned return attendances (int_ae_attendances)
--   within_4_hours  of those, the ones that left A&E within 4 hours
--   repeat_attenders people with 3 or more attendances in the year, at their last
--                    attendance's data zone and age (int_ae_repeat_attenders)
with attendances as (
    select
        ae.financial_year,
        ae.datazone2011,
        groups.age_group,
        count(*)::bigint as attendances,
        count(*) filter (where ae.within_4_hours)::bigint as within_4_hours
    from {{ ref('int_ae_attendances') }} as ae
    inner join {{ ref('age_groups') }} as groups
        on ae.age between groups.min_age and groups.max_age
    group by all
),

repeaters as (
    select
        people.financial_year,
        people.datazone2011,
        groups.age_group,
        count(*)::bigint as repeat_attenders
    from {{ ref('int_ae_repeat_attenders') }} as people
    inner join {{ ref('age_groups') }} as groups
        on people.age_at_last_attendance between groups.min_age and groups.max_age
    group by all
)

{{ counts_on_spine(ref('int_population_by_datazone_age_group'),
    {'attendances': ['attendances', 'within_4_hours'], 'repeaters': ['repeat_attenders']}) }}
