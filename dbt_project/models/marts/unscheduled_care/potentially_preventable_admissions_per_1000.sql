-- Potentially preventable emergency admissions (PHS's 19 ambulatory care
-- sensitive conditions) per 1,000 population by financial year of admission, for
-- every area level, by age group.
{{ indicator_mart('potentially_preventable_admissions_per_1000', ref('int_ppa_admissions_by_datazone'),
    numerator='ppa_admissions', denominator='population') }}
