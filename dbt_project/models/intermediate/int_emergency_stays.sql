-- One row per continuous inpatient stay that began with an emergency admission
-- (SMR01 admission type 20-22 or 30-39 on the stay's first episode), admitted in
-- the configured financial years.
with first_episodes as (
    select *
    from {{ ref('stg_smr01__episodes') }}
    qualify row_number() over (partition by cis_id order by episode_number) = 1
)

select
    cis_id,
    patient_id,
    admission_date,
    {{ financial_year_start('admission_date') }} as financial_year,
    admission_type,
    age_at_admission,
    sex,
    datazone2011
from first_episodes
where (admission_type between '20' and '22' or admission_type between '30' and '39')
    and {{ financial_year_start('admission_date') }}
        between {{ var('first_financial_year') }} and {{ var('last_financial_year') }}
