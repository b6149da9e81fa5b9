select
    patient_id,
    cis_id,
    cast(episode_number as integer) as episode_number,
    cast(admission_date as date) as admission_date,
    cast(discharge_date as date) as discharge_date,
    admission_type,
    cast(age_at_admission as integer) as age_at_admission,
    case sex when '1' then 'M' when '2' then 'F' end as sex,
    datazone2011,
    specialty,
    cast(length_of_stay as integer) as length_of_stay
from {{ source('smr01', 'smr01_episodes') }}
