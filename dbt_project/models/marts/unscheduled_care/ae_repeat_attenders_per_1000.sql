-- People with 3 or more A&E attendances in the financial year per 1,000 population,
-- each person counted once at the data zone and age of their last attendance of
-- the year, by area of residence and age group (macro indicator_mart).
{{ indicator_mart('ae_repeat_attenders_per_1000', ref('int_ae_attendances_by_datazone'),
    numerator='repeat_attenders', denominator='population') }}
