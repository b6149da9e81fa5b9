{{ config(enabled=input_supplied('public_admissions_hscp_simd')) }}

-- Slope index of inequality (SII) of the published emergency admission rates across
-- the five SIMD quintiles, for each HSCP, health board and Scotland and financial
-- year: the ScotPHO measure (scotpho-indicator-production,
-- calculate_inequality_measures), by the UDF scotpho_inequality: the
-- population-weighted regression of the quintile rates on the midpoint of each
-- quintile's cumulative population share, SII = minus its slope (positive when
-- rates fall from most to least deprived), in the rates' units, with the
-- regression's t-interval at the catalogue's confidence levels. Areas without
-- residents in every quintile (the island HSCPs and boards) have no SII: ScotPHO
-- needs all five groups. The output is indicator_rows'.
{%- set entry = catalogue_entry('emergency_admissions_sii_published') %}

with rates as (
    select * from {{ ref('emergency_admissions_by_simd_published') }}
),

areas as (
    select
        year(period_start) as period_key,
        age_group,
        geography_level,
        geography_code,
        any_value(geography_name) as geography_name,
        any_value(intzone2011) as intzone2011,
        any_value(locality_code) as locality_code,
        any_value(hscp2019) as hscp2019,
        any_value(hb2019) as hb2019,
        any_value(locality_lookup_basis) as locality_lookup_basis,
        list(value order by simd_quintile) filter (where simd_quintile <> 'all') as quintile_rates,
        list(denominator::double order by simd_quintile) filter (where simd_quintile <> 'all') as quintile_populations,
        count(*) filter (where simd_quintile <> 'all') as quintiles,
        any_value(value) filter (where simd_quintile = 'all') as overall_rate,
        max(quality_marker) as quality_marker  -- 'y' when any quintile's count is a lower bound
    from rates
    group by year(period_start), age_group, geography_level, geography_code
),

measures as (
    select
        *,
    {%- for ci in entry.confidence_levels %}
    scotpho_inequality(quintile_rates, quintile_populations, overall_rate, {{ ci.level }})
        as sii{{ ci.suffix }}{{ ',' if not loop.last }}
    {%- endfor %}
    from areas
    where quintiles = 5
),

measured as (
    select
        *,
        'all' as simd_quintile,
        null::bigint as numerator,
        null::bigint as denominator,
        sii{{ entry.confidence_levels[0].suffix }}.sii as value,
        {% call(ci, side) indicator_ci_columns(entry) %}sii{{ ci.suffix }}.sii_{{ side }}{% endcall %}  -- noqa: LT02
    from measures
),

{{ indicator_rows(entry, quality_marker='measured.quality_marker') }}
