-- Emergency admissions per 1,000 population by financial year, for data zones
-- (counts only), intermediate zones, localities, HSCPs, health boards and
-- Scotland, by age group and (HSCPs, boards, Scotland) SIMD quintile, with 95% and
-- 99.8% confidence intervals and a comparison with Scotland (macro indicator_by_area).
{{ config(location=var('marts_dir') ~ '/emergency_admissions_per_1000.parquet') }}

{{ indicator_by_area(
    ref('int_emergency_admissions_by_datazone'),
    indicator_id='emergency_admissions_per_1000',
    numerator='emergency_admissions',
    denominator='population',
    multiplier=1000,
    method='crude rate',
    source_vintage=var('smr01_vintage'),
    is_synthetic=var('smr01_is_synthetic'),
) }}
