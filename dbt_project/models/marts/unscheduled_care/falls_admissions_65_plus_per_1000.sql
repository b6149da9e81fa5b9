-- Emergency admissions for a fall per 1,000 population aged 65 and over (Core
-- Suite Integration Indicator NI-16), crude rate, by financial year of admission,
-- for localities, HSCPs, health boards and Scotland.
{{ config(location=var('marts_dir') ~ '/falls_admissions_65_plus_per_1000.parquet') }}

{{ crude_rate_by_area(
    ref('int_falls_admissions_by_datazone'),
    indicator_id='falls_admissions_65_plus_per_1000',
    numerator='fall_admissions',
    denominator='population',
    multiplier=1000,
    source_vintage=var('smr01_vintage'),
    is_synthetic=var('smr01_is_synthetic'),
) }}
