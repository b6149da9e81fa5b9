-- Average number of beds occupied by stays that began with an emergency
-- admission: the year's emergency bed days divided by the days in the financial
-- year (stays attributed to their year of admission). A count of beds, so no
-- interval and no Scotland value to compare with (areas differ in size).
{{ config(location=var('marts_dir') ~ '/average_occupied_beds_emergency.parquet') }}

{{ indicator_by_area(
    ref('int_emergency_admissions_by_datazone'),
    indicator_id='average_occupied_beds_emergency',
    numerator='emergency_bed_days',
    denominator='days in period',
    multiplier=1,
    method='mean per day',
    benchmark=false,
    source_vintage=var('smr01_vintage'),
    is_synthetic=var('smr01_is_synthetic'),
) }}
