-- Percentage of the population living in data zones of SIMD 2020v2 national
-- quintile 1 (the most deprived fifth of Scotland's data zones, population
-- weighted), by financial year: the "SIMD population share" of the PHS LIST
-- locality profiles. No interval (whole population, not a sample); no data-zone
-- level (catalogue geography_levels: a data zone is wholly in or out of quintile
-- 1, 0 or 100) and no rows by quintile.
{{ indicator_mart('simd_most_deprived_quintile_population_percent', ref('int_population_simd_by_datazone'),
    numerator='population_quintile_1', denominator='population',
    simd_levels=[]) }}
