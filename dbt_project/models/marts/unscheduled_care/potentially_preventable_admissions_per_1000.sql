-- Potentially preventable emergency admissions (PHS's 19 ambulatory care
-- sensitive conditions) per 1,000 population by financial year of admission, for
-- localities, HSCPs, health boards and Scotland, by age group.
{{ config(location=var('marts_dir') ~ '/potentially_preventable_admissions_per_1000.parquet') }}

{{ crude_rate_by_area(
    ref('int_ppa_admissions_by_datazone'),
    indicator_id='potentially_preventable_admissions_per_1000',
    numerator='ppa_admissions',
    denominator='population',
    multiplier=1000,
    source_vintage=var('smr01_vintage'),
    is_synthetic=var('smr01_is_synthetic'),
) }}
