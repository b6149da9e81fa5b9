-- Delayed discharge bed days of people aged 65+ and 75+, all reasons and by reason
-- group, with the population, for every financial year, data zone and age group.
--
-- Core Suite Integration Indicator 19 ("number of days people spend in hospital
-- when they are ready to be discharged, per 1,000 population", people aged 75+;
-- Scottish Government, Health and Social Care Integration: core suite of
-- indicators) counts the delayed bed days of the PHS delayed discharge census.
-- Here:
-- * bed days are the census rows' bed_days_in_month, in the financial year of the
--   census month (a delay spanning 31 March counts in both years, each month
--   where its days were spent);
-- * age is the age at the ready for discharge date, so a delay stays in one age
--   group (PHS derives age at that date: Public-Health-Scotland/
--   delayed-discharges-monthly, code/02_create-scotland-file.R); 65+ needs the
--   contract's `age`, PHS publishes only 18-74 and 75+;
-- * all reasons = health and social care + patient, family and carer related +
--   code 9 (the three reason groups of the PHS publication since July 2016);
-- * the population is the spine (every data zone of every year; absence of delays
--   means zero) and the denominator: the mid-year population of the calendar
--   year the financial year starts in, as for every rate here.
with bed_days as (
    select
        census.financial_year,
        census.datazone2011,
        groups.age_group,
        sum(census.bed_days)::bigint as delayed_bed_days,
        sum(census.bed_days) filter (where census.reason_group = 'health_and_social_care')::bigint
            as delayed_bed_days_health_and_social_care,
        sum(census.bed_days) filter (where census.reason_group = 'patient_family')::bigint
            as delayed_bed_days_patient_family,
        sum(census.bed_days) filter (where census.reason_group = 'code_9')::bigint
            as delayed_bed_days_code_9
    from {{ ref('stg_delayed_discharges__census') }} as census
    inner join {{ ref('age_groups') }} as groups
        on census.age between groups.min_age and groups.max_age
    where groups.age_group in ('65+', '75+')
        and census.financial_year between {{ first_financial_year() }} and {{ last_financial_year() }}
    group by all
)

{{ counts_on_spine(
    ref('int_population_by_datazone_age_group'),
    {'bed_days': ['delayed_bed_days', 'delayed_bed_days_health_and_social_care',
                  'delayed_bed_days_patient_family', 'delayed_bed_days_code_9']},
    where="spine.age_group in ('65+', '75+')",
) }}
