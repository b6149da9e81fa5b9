-- Delayed discharge bed days of people aged 75+ (all reasons) per 1,000 population aged 75+, by
-- financial year of the census month.
-- Definition: catalogue/delayed_discharge_bed_days_75_plus_per_1000.yml.

{{ indicator_mart(
    'delayed_discharge_bed_days_75_plus_per_1000',
    ref('int_delayed_discharge_bed_days_by_datazone'),
    numerator='delayed_bed_days',
    denominator='population',
) }}
