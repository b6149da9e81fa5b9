{{ config(enabled=input_supplied('public_admissions_hscp_simd')) }}

-- emergency_admissions_by_simd_published adds up: HSCPs to their board, boards to
-- Scotland (in every quintile and for all), and the five quintiles to 'all' (in
-- every area). Rows returned are failures.
with mart as (
    select * from {{ ref('emergency_admissions_by_simd_published') }}
),

expected as (
    select
        period,
        'health_board' as geography_level,
        hb2019 as geography_code,
        simd_quintile,
        sum(numerator) as numerator,
        sum(denominator) as denominator
    from mart
    where geography_level = 'hscp'
    group by all
    union all
    select
        period,
        'scotland',
        'S92000003',
        simd_quintile,
        sum(numerator),
        sum(denominator)
    from mart
    where geography_level = 'health_board'
    group by all
    union all
    select
        period,
        geography_level,
        geography_code,
        'all',
        sum(numerator),
        sum(denominator)
    from mart
    where simd_quintile <> 'all'
    group by all
)

select
    expected.*,
    mart.numerator as found_numerator,
    mart.denominator as found_denominator
from expected
full outer join (
    select * from mart
    where geography_level <> 'hscp' or simd_quintile = 'all'
) as mart
    using (period, geography_level, geography_code, simd_quintile)
where expected.numerator is distinct from mart.numerator
    or expected.denominator is distinct from mart.denominator
