-- One row per continuous inpatient stay that began with an emergency admission
-- (SMR01 admission type 20-22 or 30-39 on the stay's first episode), admitted in
-- the configured financial years, with its bed days (last discharge minus first
-- admission, in days; a same-day stay has none).
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
    datazone2011
from episodes
where episode_order = 1
    and (admission_type between '20' and '22' or admission_type between '30' and '39')
    and {{ financial_year_start('admission_date') }}
        between {{ var('first_financial_year') }} and {{ var('last_financial_year') }}
