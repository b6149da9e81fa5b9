-- A&E attendances as PHS counts them, in the configured financial years of arrival:
-- new and unplanned return attendances at Emergency Departments and Minor Injury
-- Units. Planned return attendances (booked reviews) are left out: PHS's A&E
-- activity and waiting times statistics report "new and unplanned return
-- attendances" (publication metadata; dataset notes of "Monthly Emergency
-- Department Activity and Waiting Times", PHS open data), and the four-hour
-- standard is measured on the same attendances.
-- Within 4 hours: departure (discharge, admission or transfer) at most 240 minutes
-- after arrival, compared on the timestamps so that seconds, where recorded, count.
select
    attendance_id,
    patient_id,
    arrival_at,
    discharged_at,
    financial_year,
    site_code,
    department_type,
    attendance_category,
    age,
    datazone2011,
    discharged_at <= arrival_at + interval 240 minute as within_4_hours
from {{ ref('stg_ae__attendances') }}
where attendance_category in ('new', 'unplanned_return')
    and financial_year between {{ first_financial_year() }} and {{ last_financial_year() }}
