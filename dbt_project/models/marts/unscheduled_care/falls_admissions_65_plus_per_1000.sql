-- Emergency admissions for a fall per 1,000 population aged 65 and over (Core
-- Suite Integration Indicator NI-16), crude rate, by financial year of admission,
-- for every area level.
{{ indicator_mart('falls_admissions_65_plus_per_1000', ref('int_falls_admissions_by_datazone'),
    numerator='fall_admissions', denominator='population') }}
