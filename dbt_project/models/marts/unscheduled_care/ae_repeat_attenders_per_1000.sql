-- People with 3 or more A&E attendances in the financial year per 1,000 population,
-- each person counted once at the data zone and age of their last attendance of
-- the year, by area of residence and age group (macro crude_rate_by_area).
{{ config(location=var('marts_dir') ~ '/ae_repeat_attenders_per_1000.parquet') }}

{{ crude_rate_by_area(
    ref('int_ae_attendances_by_datazone'),
    indicator_id='ae_repeat_attenders_per_1000',
    numerator='repeat_attenders',
    denominator='population',
    multiplier=1000,
    source_vintage=var('ae_attendances_vintage'),
    is_synthetic=var('ae_attendances_is_synthetic'),
) }}
