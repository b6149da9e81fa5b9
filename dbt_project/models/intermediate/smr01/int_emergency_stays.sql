-- One row per continuous inpatient stay that began with an emergency admission
-- (SMR01 admission type 20-22 or 30-39 on the stay's first episode), admitted in
-- the configured financial years, with its bed days (last discharge minus first
-- admission, in days; a same-day stay has none).
-- The diagnoses are the first episode's: PHS's potentially preventable admission
-- flag (Source Linkage Files, add_ppa_flag) reads the first episode of the stay,
-- and the falls rule (NI-16) goes with the admission type, a first-episode field.
-- ppa_condition and is_fall_admission are Python UDFs from transforms.udfs,
-- so SQL and pandas share transforms/reference/icd10_groups.py.
with episodes as (
    select
        *,
        row_number() over (partition by cis_id order by episode_number) as episode_order,
        max(discharge_date) over (partition by cis_id) as stay_discharge_date
    from {{ ref('stg_smr01__episodes') }}
)

select
    cis_id,
    patient_id,
    admission_date,
    stay_discharge_date,
    date_diff('day', admission_date, stay_discharge_date) as bed_days,
    {{ financial_year_start('admission_date') }} as financial_year,
    admission_type,
    age_at_admission,
    sex,
    datazone2011,
    main_condition,
    other_condition_1,
    other_condition_2,
    other_condition_3,
    other_condition_4,
    other_condition_5,
    ppa_condition(
        main_condition, other_condition_1, other_condition_2,
        other_condition_3, other_condition_4, other_condition_5
    ) as ppa_condition,
    is_fall_admission(
        admission_type, main_condition, other_condition_1, other_condition_2,
        other_condition_3, other_condition_4, other_condition_5
    ) as is_fall_admission
from episodes
where episode_order = 1
    and {{ is_emergency_admission('admission_type') }}
    and {{ financial_year_start('admission_date') }}
    between {{ first_financial_year() }} and {{ last_financial_year() }}
