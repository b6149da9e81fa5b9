-- The data-zone counts hold every attendance, within-4-hours attendance and repeat
-- attender of the record-level models: none lost to the population spine.
with counted as (
    select
        financial_year,
        sum(attendances) as attendances,
        sum(within_4_hours) as within_4_hours,
        sum(repeat_attenders) as repeat_attenders
    from {{ ref('int_ae_attendances_by_datazone') }}
    where age_group = 'All ages'
    group by financial_year
),

attendances as (
    select
        financial_year,
        count(*) as attendances,
        count(*) filter (where within_4_hours) as within_4_hours
    from {{ ref('int_ae_attendances') }}
    group by financial_year
),

repeaters as (
    select
        financial_year,
        count(*) as repeat_attenders
    from {{ ref('int_ae_repeat_attenders') }}
    group by financial_year
)

select
    coalesce(counted.financial_year, attendances.financial_year) as financial_year,
    counted.attendances,
    attendances.attendances as expected_attendances,
    counted.within_4_hours,
    attendances.within_4_hours as expected_within_4_hours,
    counted.repeat_attenders,
    repeaters.repeat_attenders as expected_repeat_attenders
from counted
full outer join attendances on counted.financial_year = attendances.financial_year
left join repeaters on coalesce(counted.financial_year, attendances.financial_year) = repeaters.financial_year
where counted.attendances is distinct from coalesce(attendances.attendances, 0)
    or counted.within_4_hours is distinct from coalesce(attendances.within_4_hours, 0)
    or counted.repeat_attenders is distinct from coalesce(repeaters.repeat_attenders, 0)
