-- Emergency admissions per 1,000 population by financial year, for localities,
-- HSCPs, health boards and Scotland, by age group, with 95% and 99.8% confidence
-- intervals and a comparison with Scotland (macro crude_rate_by_area).
{{ config(location=var('marts_dir') ~ '/emergency_admissions_per_1000.parquet') }}

{{ crude_rate_by_area(
    ref('int_emergency_admissions_by_datazone'),
    indicator_id='emergency_admissions_per_1000',
    numerator='emergency_admissions',
    denominator='population',
    multiplier=1000,
) }}
