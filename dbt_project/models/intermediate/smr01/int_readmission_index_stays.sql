-- One row per index stay of the 28-day emergency readmission indicator (Core Suite
-- Integration Indicator NI-14), with whether an emergency readmission followed it.
--
-- As PHS computes NI-14 (repository Public-Health-Scotland/national-indicators,
-- NI14.R and R/ni14_functions.R add_readmission_flag) and the LIST locality
-- profiles (list-localities-profiles, "Unscheduled Care/1. Unscheduled Care data
-- extraction.R", section 6):
--   * a stay is a continuous inpatient stay of any admission type: first admission,
--     last discharge, the first episode's admission type and age, the last
--     episode's data zone (residence at discharge);
--   * it is an index stay in the financial year of its discharge, unless the
--     patient died during it (death date from admission to discharge): PHS takes
--     that from the discharge type (4x) or the NRS death record; this SMR01
--     contract has no discharge type, so the linked deaths extract is used;
--   * it is readmitted when an emergency stay (admission type 20-22, 30-39) of the
--     same patient begins 0 to 28 days after its discharge date, counted once
--     however many follow. PHS looks at the next stay only; here any emergency
--     stay in the window counts (the indicator's wording), which differs only when
--     an elective stay comes in between.
--
-- Period edge: the extract holds the stays admitted in the configured period, so a
-- readmission after 31 March of the last financial year cannot be seen. Index
-- stays discharged in the last 28 days of the period are left out of numerator and
-- denominator alike; the last year's figure covers discharges from 1 April to
-- 3 March. Dropping them rather than counting them unfollowed avoids an
-- undercount that would grow towards the end of the year.
with episodes as (
    select
        *,
        row_number() over (partition by cis_id order by episode_number) as first_order,
        row_number() over (partition by cis_id order by episode_number desc) as last_order
    from {{ ref('stg_smr01__episodes') }}
),

stays as (
    select
        cis_id,
        any_value(patient_id) filter (where first_order = 1) as patient_id,
        any_value(admission_date) filter (where first_order = 1) as admission_date,
        max(discharge_date) as discharge_date,
        any_value(admission_type) filter (where first_order = 1) as admission_type,
        any_value(age_at_admission) filter (where first_order = 1) as age_at_admission,
        any_value(datazone2011) filter (where last_order = 1) as datazone2011
    from episodes
    group by cis_id
),

index_stays as (
    select
        stays.*,
        {{ financial_year_start('stays.discharge_date') }} as financial_year
    from stays
    where {{ financial_year_start('stays.discharge_date') }}
        between {{ first_financial_year() }} and {{ last_financial_year() }}
        -- The 28-day window must end inside the extract (see the period edge above).
        and stays.discharge_date <= make_date({{ last_financial_year() }} + 1, 3, 31) - 28
        and not exists (
            select 1
            from {{ ref('stg_deaths__deaths') }} as deaths
            where deaths.patient_id = stays.patient_id
                and deaths.date_of_death between stays.admission_date and stays.discharge_date
        )
),

readmitted as (
    select distinct index_stays.cis_id
    from index_stays
    inner join stays as later
        on later.patient_id = index_stays.patient_id
            and later.cis_id != index_stays.cis_id
            and date_diff('day', index_stays.discharge_date, later.admission_date) between 0 and 28
            -- Two single-day stays of one person on the same day would each follow the
            -- other: take them in the order PHS sorts stays (admission, discharge, then
            -- the stay id standing in for its CIS marker).
            and (later.admission_date, later.discharge_date, later.cis_id)
            > (index_stays.admission_date, index_stays.discharge_date, index_stays.cis_id)
    where {{ is_emergency_admission('later.admission_type') }}
)

select
    index_stays.cis_id,
    index_stays.patient_id,
    index_stays.admission_date,
    index_stays.discharge_date,
    index_stays.financial_year,
    index_stays.admission_type,
    index_stays.age_at_admission,
    index_stays.datazone2011,
    readmitted.cis_id is not null as emergency_readmission_28_days
from index_stays
left join readmitted using (cis_id)
