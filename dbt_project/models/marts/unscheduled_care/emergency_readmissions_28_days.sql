-- Emergency readmissions within 28 days of discharge per 1,000 discharges (Core
-- Suite Integration Indicator NI-14 style) by financial year of discharge, for
-- localities, HSCPs, health boards and Scotland, by age group at the index
-- admission. A proportion of discharges: method 'percentage' (per 1,000).
-- Counting rules and the period edge: int_readmission_index_stays.
{{ config(location=var('marts_dir') ~ '/emergency_readmissions_28_days.parquet') }}

{{ crude_rate_by_area(
    ref('int_emergency_readmissions_by_datazone'),
    indicator_id='emergency_readmissions_28_days',
    numerator='readmissions',
    denominator='discharges',
    multiplier=1000,
    method='percentage',
    source_vintage='smr01_episodes:' ~ var('smr01_vintage') ~ ';deaths:' ~ var('deaths_vintage'),
    is_synthetic=(var('smr01_is_synthetic') or var('deaths_is_synthetic')) | lower,
) }}
