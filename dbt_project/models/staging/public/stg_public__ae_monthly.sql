{{ config(enabled=input_supplied('public_ae_monthly')) }}

select
    strptime("Month", '%Y%m')::date as month_start,
    {{ financial_year_start("strptime(\"Month\", '%Y%m')") }} as financial_year,
    "HBT" as hb2019,
    "TreatmentLocation" as site_code,
    case "DepartmentType" when 'Emergency Department' then 'ED' else 'MIU' end as department_type,
    sum("NumberOfAttendancesAll")::bigint as attendances,
    sum("NumberWithin4HoursAll")::bigint as within_4_hours
from {{ source('public', 'public_ae_monthly') }}
group by all
