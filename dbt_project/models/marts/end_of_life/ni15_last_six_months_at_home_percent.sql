-- NI-15: percentage of the last six months of life spent at home or in a community
-- setting, by financial year of death, for localities, HSCPs, health boards and
-- Scotland, for All ages, 65+ and 75+ (catalogue/ni15_last_six_months_at_home_percent.yml).
-- Numerator: days outside hospital in the 183 days before death; denominator: 183
-- days per death. The days of one person are not independent trials, so no
-- binomial interval (with_ci=false).
{{ config(location=var('marts_dir') ~ '/ni15_last_six_months_at_home_percent.parquet') }}

{{ crude_rate_by_area(
    ref('int_last_six_months_of_life_by_datazone'),
    indicator_id='ni15_last_six_months_at_home_percent',
    numerator='community_days',
    denominator='last_six_months_days',
    multiplier=100,
    method='percentage',
    with_ci=false,
    source_vintage='smr01_episodes:' ~ var('smr01_vintage') ~ ';deaths:' ~ var('deaths_vintage'),
    is_synthetic=(var('smr01_is_synthetic') or var('deaths_is_synthetic')) | lower,
) }}
