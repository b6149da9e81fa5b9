-- Delayed discharge bed days of people aged 75+ (health and social care reasons) per 1,000
-- population aged 75+, by financial year of the census month.
-- Definition: catalogue/delayed_discharge_bed_days_75_plus_per_1000_health_and_social_care.yml.

{{ indicator_mart(
    'delayed_discharge_bed_days_75_plus_per_1000_health_and_social_care',
    ref('int_delayed_discharge_bed_days_by_datazone'),
    numerator='delayed_bed_days_health_and_social_care',
    denominator='population',
) }}
