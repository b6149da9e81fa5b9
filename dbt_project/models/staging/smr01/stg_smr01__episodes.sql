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
    cast(length_of_stay as integer) as length_of_stay,
    main_condition,
    nullif(other_condition_1, '') as other_condition_1,
    nullif(other_condition_2, '') as other_condition_2,
    nullif(other_condition_3, '') as other_condition_3,
    nullif(other_condition_4, '') as other_condition_4,
    nullif(other_condition_5, '') as other_condition_5
from {{ source('smr01', 'smr01_episodes') }}
