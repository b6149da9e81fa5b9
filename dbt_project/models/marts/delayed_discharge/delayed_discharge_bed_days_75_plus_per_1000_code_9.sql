-- Delayed discharge bed days of people aged 75+ (code 9 (complex) reasons) per 1,000 population
-- aged 75+, by financial year of the census month.
-- Definition: catalogue/delayed_discharge_bed_days_75_plus_per_1000_code_9.yml.

{{ indicator_mart(
    'delayed_discharge_bed_days_75_plus_per_1000_code_9',
    ref('int_delayed_discharge_bed_days_by_datazone'),
    numerator='delayed_bed_days_code_9',
    denominator='population',
) }}
