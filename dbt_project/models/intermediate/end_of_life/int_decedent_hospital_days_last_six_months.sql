-- One row per death in the configured financial years whose six-month look-back is
-- covered by the SMR01 extract, with the days the person spent in hospital (SMR01
-- stays) in the last six months of life. Numerator side of NI-15.
--
-- Core Suite Integration Indicator 15, "proportion of last 6 months of life spent
-- at home or in a community setting" = 100 - hospital days in the last six months
-- / deaths / 182.5 * 100 (PHS, Percentage of end of life spent at home or in a
-- community setting; PHS code: Public-Health-Scotland/end-of-life-pub,
-- code/01_create-basefile.R and functions/calculate_qom.R). As there:
-- * the last six months are the 183 days before the date of death: a stay that
--   began earlier counts from date of death - 183 days, one that ends after the
--   death counts to the date of death, one admitted after the death not at all;
-- * hospital days are nights (discharge minus admission, as length of stay), of
--   continuous inpatient stays (episodes of one cis_id merged), with overlapping
--   stays of a person merged so no night counts twice.
-- Unlike PHS: SMR01 (general acute) only, as that is the extract here, where PHS also
-- counts geriatric long stay (SMR01E) and psychiatric (SMR04) stays; no exclusion of
-- deaths from external causes (the deaths contract has no cause of death); and the
-- look-back is 183 days in both numerator and denominator (PHS divides by 182.5):
-- whole days keep numerator and denominator integers (see the int_last_six_months_of_life_by_datazone comment).
--
-- The SMR01 extract holds stays admitted from 1 April of the first financial year
-- (docs/contracts/smr01_episodes.md), so a death before that date + 183 days would
-- have a look-back with stays missing: such deaths are left out (PHS extracts SMR
-- from six months before its first year instead).
{% set look_back_days = 183 %}
with deaths as (
    select
        patient_id,
        date_of_death,
        age,
        datazone2011,
        financial_year
    from {{ ref('stg_deaths__deaths') }}
    where financial_year between {{ first_financial_year() }} and {{ last_financial_year() }}
        and date_of_death >= make_date({{ first_financial_year() }}, 4, 1) + {{ look_back_days }}
),

stays as (
    select
        patient_id,
        cis_id,
        min(admission_date) as admission_date,
        max(discharge_date) as discharge_date
    from {{ ref('stg_smr01__episodes') }}
    where patient_id in (select patient_id from deaths)
    group by all
),

in_window as (
    select
        deaths.patient_id,
        greatest(stays.admission_date, deaths.date_of_death - {{ look_back_days }}) as window_start,
        least(stays.discharge_date, deaths.date_of_death) as window_end
    from deaths
    inner join stays using (patient_id)
    where stays.admission_date <= deaths.date_of_death
        and stays.discharge_date > deaths.date_of_death - {{ look_back_days }}
),

-- Overlapping stays of one person (a data error in SMR01, or a transfer recorded
-- twice) are merged: a new block starts where a stay begins after every earlier one ended.
flagged as (
    select
        *,
        case when window_start <= max(window_end) over (
                    partition by patient_id order by window_start, window_end
                    rows between unbounded preceding and 1 preceding
                )
                then 0
            else 1
        end as starts_block
    from in_window
),

blocks as (
    select
        patient_id,
        min(window_start) as block_start,
        max(window_end) as block_end
    from (
        select
            *,
            sum(starts_block) over (
                partition by patient_id order by window_start, window_end rows unbounded preceding
            ) as block
        from flagged
    )
    group by patient_id, block
),

hospital as (
    select
        patient_id,
        sum(date_diff('day', block_start, block_end))::integer as hospital_days
    from blocks
    group by patient_id
)

select
    deaths.patient_id,
    deaths.date_of_death,
    deaths.financial_year,
    deaths.age,
    deaths.datazone2011,
    coalesce(hospital.hospital_days, 0) as hospital_days,
    {{ look_back_days }} as look_back_days
from deaths
left join hospital using (patient_id)
