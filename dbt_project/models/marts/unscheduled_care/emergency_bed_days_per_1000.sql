-- Bed days of stays that began with an emergency admission, per 1,000 population,
-- by financial year of admission, at every geography level, by age group and SIMD
-- quintile. Bed days of one stay are not independent events, so the catalogue
-- gives no confidence levels.
{{ indicator_mart('emergency_bed_days_per_1000', ref('int_emergency_admissions_by_datazone'),
    numerator='emergency_bed_days', denominator='population') }}
