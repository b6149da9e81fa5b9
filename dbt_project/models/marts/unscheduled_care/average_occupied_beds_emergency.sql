-- Average number of beds occupied by stays that began with an emergency
-- admission: the year's emergency bed days divided by the days in the financial
-- year (stays attributed to their year of admission).
{{ config(location=var('marts_dir') ~ '/average_occupied_beds_emergency.parquet') }}

select
    'average_occupied_beds_emergency' as indicator_id,
    period,
    period_type,
    period_start,
    geography_level,
    geography_code,
    geography_name,
    hscp2019,
    hb2019,
    simd_quintile,
    sex,
    age_group,
    numerator,
    date_diff('day', period_start, period_start + interval 1 year)::bigint as denominator,
    numerator / date_diff('day', period_start, period_start + interval 1 year) as value,
    null::double as ci95_lower,
    null::double as ci95_upper,
    null::double as ci998_lower,
    null::double as ci998_upper,
    'mean per day' as method,
    1 as multiplier,
    null::double as scotland_value,
    case when geography_level = 'scotland' then 'benchmark' end as compared_with_scotland_95,
    quality_marker,
    locality_lookup_basis,
    is_synthetic,
    source_vintage
from {{ ref('emergency_bed_days_per_1000') }}
