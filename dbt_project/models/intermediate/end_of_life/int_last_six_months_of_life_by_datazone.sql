-- NI-15 counts for every financial year of death, data zone of residence at death
-- and age group at death (All ages, 65+, 75+): deaths, hospital days and community
-- days in the last six months of life (int_decedent_hospital_days_last_six_months).
--
-- In the long output the numerator is the days spent at home or in a community
-- setting (deaths x 183 - hospital days) and the denominator the days of the last
-- six months of every death (deaths x 183), so value = 100 x numerator /
-- denominator is the NI-15 percentage and areas add up by summing both. PHS divides
-- by 182.5 days; with 183 both counts stay whole days (the output's numerator and
-- denominator are integers), and the value differs from PHS's formula by the
-- hospital share x 0.27 % (e.g. 0.03 points at 10 % of days in hospital).
--
-- Age groups: All ages is NI-15 itself; 65+ and 75+ are the ages at which most
-- deaths occur and the bands the other indicators here use. Narrower bands (PHS
-- publishes 0-54 to 85+) would leave too few deaths per locality.
--
-- Every data zone, year and age group of the population spine has a row (absence
-- of deaths means zero, and then the value is null: there is no last six months to
-- share out).
with spine as (
    select
        financial_year,
        datazone2011,
        age_group,
        min_age,
        max_age
    from {{ ref('int_population_by_datazone_age_group') }}
    where age_group in ('All ages', '65+', '75+')
),

counts as (
    select
        spine.financial_year,
        spine.datazone2011,
        spine.age_group,
        count(decedents.patient_id)::bigint as deaths,
        coalesce(sum(decedents.hospital_days), 0)::bigint as hospital_days,
        coalesce(sum(decedents.look_back_days), 0)::bigint as last_six_months_days
    from spine
    left join {{ ref('int_decedent_hospital_days_last_six_months') }} as decedents
        on decedents.financial_year = spine.financial_year
            and decedents.datazone2011 = spine.datazone2011
            and decedents.age between spine.min_age and spine.max_age
    group by all
)

select
    financial_year,
    datazone2011,
    age_group,
    deaths,
    hospital_days,
    last_six_months_days - hospital_days as community_days,
    last_six_months_days
from counts
