-- Percentage of the population aged 65 and over (age group '65+') and 75 and over
-- ('75+'), by financial year (mid-year estimate of the year it starts in), for
-- every area level. No interval: the estimates cover the whole population, not a
-- sample (as in the PHS LIST locality profiles and ScotPHO population indicators,
-- which publish none). source_vintage and is_synthetic are those of the
-- reference inputs (catalogue source_extract).
{{ indicator_mart('population_65_plus_percent', ref('int_population_age_share_by_datazone'),
    numerator='population_in_age_group', denominator='population') }}
