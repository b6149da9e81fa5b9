-- Delayed discharge bed days of people aged 65+ (code 9 (complex) reasons) per 1,000 population
-- aged 65+, by financial year of the census month, for localities, HSCPs, health
-- boards and Scotland (catalogue/delayed_discharge_bed_days_65_plus_per_1000_code_9.yml). Delayed bed days of one
-- person are not independent events, so no Poisson interval (with_ci=false).
{{ config(location=var('marts_dir') ~ '/delayed_discharge_bed_days_65_plus_per_1000_code_9.parquet') }}

{{ crude_rate_by_area(
    ref('int_delayed_discharge_bed_days_65_plus'),
    indicator_id='delayed_discharge_bed_days_65_plus_per_1000_code_9',
    numerator='delayed_bed_days_code_9',
    denominator='population',
    multiplier=1000,
    with_ci=false,
    source_vintage=var('delayed_discharges_vintage'),
    is_synthetic=var('delayed_discharges_is_synthetic'),
) }}
