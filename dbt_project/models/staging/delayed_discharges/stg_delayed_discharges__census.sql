with typed as (
    select
        patient_id,
        census_month,
        cast(census_month || '-01' as date) as month_start,
        datazone2011,
        -- Age at the ready for discharge date (contract); age_group is its 18-74 / 75+ group.
        cast(age as integer) as age,
        age_group,
        reason_group,
        reason_code,
        cast(delay_start_date as date) as delay_start_date,
        cast(bed_days_in_month as integer) as bed_days,
        cast(delayed_at_census as integer) as delayed_at_census
    from {{ source('delayed_discharges', 'delayed_discharges') }}
)

select
    *,
    {{ financial_year_start('month_start') }} as financial_year
from typed
