-- Percentage of the population living in data zones of SIMD 2020v2 national
-- quintile 1 (the most deprived fifth of Scotland's data zones, population
-- weighted), by financial year, for every area level of crude_rate_by_area: the
-- "SIMD population share" of the PHS LIST locality profiles. No interval (whole
-- population, not a sample). Data zones are wholly in or out of quintile 1, so
-- the data-zone level (0 or 100) is left out.
-- The reference data are not synthetic and have their own vintages, which the
-- macro does not take yet (it uses the SMR01 ones), hence the replace.
{% set inputs = ['hscp_population_estimates', 'datazone_population_2021', 'simd2020v2_datazone'] %}
{{ config(location=var('marts_dir') ~ '/simd_most_deprived_quintile_population_percent.parquet') }}

select * replace (
    {{ reference_is_synthetic(inputs) }} as is_synthetic,
    {{ reference_vintage(inputs) }} as source_vintage
)
from (
    {{ crude_rate_by_area(
        ref('int_population_simd_by_datazone'),
        indicator_id='simd_most_deprived_quintile_population_percent',
        numerator='population_quintile_1',
        denominator='population',
        multiplier=100,
        method='percentage',
        with_ci=false,
    ) }}
)
where geography_level <> 'datazone'
    and simd_quintile = 'all'
