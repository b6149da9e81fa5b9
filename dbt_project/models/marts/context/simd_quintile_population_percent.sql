-- Percentage of the population living in data zones of each SIMD 2020v2 national
-- quintile, one row per quintile ('1' most deprived .. '5'), the five adding to
-- 100 for every area and year: the SIMD breakdown of the PHS LIST locality
-- profiles. Its own model because the share's denominator is the whole area, not
-- the quintile's residents, so the macro's own SIMD rows (rates among the people of
-- quintile q) do not give it: one macro call per quintile, keeping the macro's
-- all-quintile rows and labelling them with the quintile counted. No interval
-- (whole population); data-zone level left out (0 or 100).
{% set inputs = ['hscp_population_estimates', 'datazone_population_2021', 'simd2020v2_datazone'] %}
{{ config(location=var('marts_dir') ~ '/simd_quintile_population_percent.parquet') }}

select * from (
{% for q in range(1, 6) %}
select * replace (
    '{{ q }}' as simd_quintile,
    {{ reference_is_synthetic(inputs) }} as is_synthetic,
    {{ reference_vintage(inputs) }} as source_vintage
)
from (
    {{ crude_rate_by_area(
        ref('int_population_simd_by_datazone'),
        indicator_id='simd_quintile_population_percent',
        numerator='population_quintile_' ~ q,
        denominator='population',
        multiplier=100,
        method='percentage',
        with_ci=false,
    ) }}
)
where geography_level <> 'datazone'
    and simd_quintile = 'all'
{% if not loop.last %}union all{% endif %}
{% endfor %}
)
order by
    period,
    case geography_level
        when 'scotland' then 1 when 'health_board' then 2 when 'hscp' then 3
        when 'locality' then 4 when 'intzone' then 5 else 6 end,
    geography_code,
    simd_quintile
