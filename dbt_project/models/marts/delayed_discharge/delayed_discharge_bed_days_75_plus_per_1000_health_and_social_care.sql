-- Delayed discharge bed days of people aged 75+ (health and social care reasons) per 1,000 population
-- aged 75+, by financial year of the census month, for localities, HSCPs, health
-- boards and Scotland (catalogue/delayed_discharge_bed_days_75_plus_per_1000_health_and_social_care.yml). Delayed bed days of one
-- person are not independent events, so no Poisson interval (with_ci=false).
{{ config(location=var('marts_dir') ~ '/delayed_discharge_bed_days_75_plus_per_1000_health_and_social_care.parquet') }}

{{ crude_rate_by_area(
    ref('int_delayed_discharge_bed_days_75_plus'),
    indicator_id='delayed_discharge_bed_days_75_plus_per_1000_health_and_social_care',
    numerator='delayed_bed_days_health_and_social_care',
    denominator='population',
    multiplier=1000,
    with_ci=false,
    source_vintage=var('delayed_discharges_vintage'),
    is_synthetic=var('delayed_discharges_is_synthetic'),
) }}
