-- Bed days of stays that began with an emergency admission, per 1,000 population,
-- by financial year of admission, at every geography level, by age group and SIMD
-- quintile. Bed days of one stay are not independent events, so no Poisson
-- interval is given (with_ci=false).
{{ config(location=var('marts_dir') ~ '/emergency_bed_days_per_1000.parquet') }}

{{ indicator_by_area(
    ref('int_emergency_admissions_by_datazone'),
    indicator_id='emergency_bed_days_per_1000',
    numerator='emergency_bed_days',
    denominator='population',
    multiplier=1000,
    method='crude rate',
    with_ci=false,
    source_vintage=var('smr01_vintage'),
    is_synthetic=var('smr01_is_synthetic'),
) }}
