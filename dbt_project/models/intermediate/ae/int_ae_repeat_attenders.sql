-- People with 3 or more A&E attendances (new and unplanned returns, as in
-- int_ae_attendances) arriving in the same financial year: one row per person and
-- year, placed at the data zone of residence and the age of their last attendance
-- of that year, so that each person counts once in one area and one age group.
-- Ties on arrival time are broken by attendance id, so the choice is repeatable.
with ranked as (
    select
        financial_year,
        patient_id,
        datazone2011,
        age,
        arrival_at,
        count(*) over (partition by financial_year, patient_id) as attendances,
        row_number() over (
            partition by financial_year, patient_id order by arrival_at desc, attendance_id desc
        ) as recency
    from {{ ref('int_ae_attendances') }}
)

select
    financial_year,
    patient_id,
    attendances::bigint as attendances,
    arrival_at as last_arrival_at,
    datazone2011,
    age as age_at_last_attendance
from ranked
where recency = 1
    and attendances >= 3
