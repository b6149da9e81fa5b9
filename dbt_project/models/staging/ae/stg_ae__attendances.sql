with typed as (
    select
        patient_id,
        attendance_id,
        cast(arrival_datetime as timestamp) as arrival_at,
        cast(discharge_datetime as timestamp) as discharged_at,
        site_code,
        department_type,
        cast(age as integer) as age,
        case sex when '1' then 'M' when '2' then 'F' end as sex,
        datazone2011,
        attendance_category
    from {{ source('ae', 'ae_attendances') }}
)

select
    *,
    date_diff('minute', arrival_at, discharged_at) as minutes_in_ae,
    {{ financial_year_start('arrival_at') }} as financial_year
from typed
