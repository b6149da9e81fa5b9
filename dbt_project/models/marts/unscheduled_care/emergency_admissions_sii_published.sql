{{ config(
    enabled=var('has_public_admissions_hscp_simd'),
    location=var('marts_dir') ~ '/emergency_admissions_sii_published.parquet',
) }}

-- Slope index of inequality (SII) of the published emergency admission rates across
-- the five SIMD quintiles, for each HSCP, health board and Scotland and financial
-- year: the ScotPHO measure (scotpho-indicator-production,
-- calculate_inequality_measures), by the UDF scotpho_inequality: the
-- population-weighted regression of the quintile rates on the midpoint of each
-- quintile's cumulative population share, SII = minus its slope (positive when
-- rates fall from most to least deprived), in admissions per 1,000, with the
-- regression's t-interval. Areas without residents in every quintile (the island
-- HSCPs and boards) have no SII: ScotPHO needs all five groups.
with rates as (
    select * from {{ ref('emergency_admissions_by_simd_published') }}
),

areas as (
    select
        financial_year,
        geography_level,
        geography_code,
        any_value(geography_name) as geography_name,
        any_value(hscp2019) as hscp2019,
        any_value(hb2019) as hb2019,
        list(value order by simd_quintile) filter (where simd_quintile <> 'all') as quintile_rates,
        list(denominator::double order by simd_quintile) filter (where simd_quintile <> 'all') as quintile_populations,
        count(*) filter (where simd_quintile <> 'all') as quintiles,
        any_value(value) filter (where simd_quintile = 'all') as overall_rate,
        max(quality_marker) as quality_marker,  -- 'y' when any quintile's count is a lower bound
        bool_or(is_synthetic) as is_synthetic,
        any_value(source_vintage) as source_vintage
    from (select *, year(period_start) as financial_year from rates)
    group by financial_year, geography_level, geography_code
),

measures as (
    select
        *,
        scotpho_inequality(quintile_rates, quintile_populations, overall_rate, 0.95) as m95,
        scotpho_inequality(quintile_rates, quintile_populations, overall_rate, 0.998) as m998
    from areas
    where quintiles = 5
),

scotland as (
    select financial_year, m95.sii as scotland_value
    from measures
    where geography_level = 'scotland'
)

select
    'emergency_admissions_sii_published' as indicator_id,
    {{ financial_year_label('measures.financial_year') }} as period,
    'financial year' as period_type,
    make_date(measures.financial_year, 4, 1) as period_start,
    measures.geography_level,
    measures.geography_code,
    measures.geography_name,
    measures.hscp2019,
    measures.hb2019,
    'all' as simd_quintile,
    'Persons' as sex,
    'All ages' as age_group,
    null::bigint as numerator,
    null::bigint as denominator,
    measures.m95.sii as value,
    measures.m95.sii_lower as ci95_lower,
    measures.m95.sii_upper as ci95_upper,
    measures.m998.sii_lower as ci998_lower,
    measures.m998.sii_upper as ci998_upper,
    'slope index of inequality' as method,
    1000 as multiplier,
    scotland.scotland_value,
    case when measures.geography_level = 'scotland' then 'benchmark'
        else compare_with_benchmark(measures.m95.sii_lower, measures.m95.sii_upper, scotland.scotland_value)
    end as compared_with_scotland_95,
    measures.quality_marker,
    null::varchar as locality_lookup_basis,
    measures.is_synthetic,
    measures.source_vintage
from measures
inner join scotland on measures.financial_year = scotland.financial_year
order by
    measures.financial_year,
    case measures.geography_level when 'scotland' then 1 when 'health_board' then 2 else 3 end,
    measures.geography_code
