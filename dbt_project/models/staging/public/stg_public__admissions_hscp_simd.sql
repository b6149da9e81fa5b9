{{ config(enabled=input_supplied('public_admissions_hscp_simd')) }}

-- Archived HSCP codes (S37000014/15/21/23) map to their successors.
with rows as (
    select
        strptime("WeekEnding", '%Y%m%d')::date as week_ending,
        coalesce(changes.new_code, admissions."HSCP") as hscp2019,
        "SIMDQuintile"::integer as simd_quintile,
        "AdmissionType" as admission_type,
        "NumberAdmissions"::bigint as admissions
    from {{ source('public', 'public_admissions_hscp_simd') }} as admissions
    left join {{ ref('stg_reference__geography_code_changes') }} as changes
        on changes.geography_level = 'hscp' and changes.old_code = admissions."HSCP"
    where admissions."AdmissionType" <> 'All'
)

select
    week_ending,
    {{ financial_year_start('week_ending') }} as financial_year,
    hscp2019,
    simd_quintile,
    admission_type,
    sum(admissions)::bigint as admissions
from rows
group by all
