select
    patient_id,
    cast(date_of_death as date) as date_of_death,
    cast(age as integer) as age,
    case sex when '1' then 'M' when '2' then 'F' end as sex,
    datazone2011,
    place_of_death,
    {{ financial_year_start('cast(date_of_death as date)') }} as financial_year
from {{ source('deaths', 'deaths') }}
