{#-
  Funnel plots: each compared area's value against its denominator, with the 95% and
  99.8% control limits around the Scotland value at that denominator, and where the
  area lies (docs/methods/comparisons.md). Indicators with confidence limits only
  (a count of independent events over a population, or a percentage): crude rates get
  the exact Poisson limits of the Fingertips funnel (funnel_rate_limits, 'exact'),
  percentages the binomial ones (funnel_proportion_limits). funnel_limits holds the
  curves to draw. A suppressed area has no value and so no position.
-#}
with base as (
    select *
    from {{ ref('cmp_indicator_values') }}
    where has_limits
        and method in ('crude rate', 'percentage')
        and scotland_value is not null
        and denominator > 0
),

limited as (
    {{ funnel_limited('base', 'denominator', 'scotland_value') }}
)

select
    indicator_id,
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
    method,
    multiplier,
    denominator,
    value,
    scotland_value as benchmark,
    limits_95.lower as lower_95,
    limits_95.upper as upper_95,
    limits_998.lower as lower_998,
    limits_998.upper as upper_998,
    classify_against_limits(value, limits_95.lower, limits_95.upper, limits_998.lower, limits_998.upper)
        as funnel_position,
    polarity,
    quality_marker,
    is_synthetic,
    source_vintage
from limited
order by indicator_id, geography_level, period_start, sex, age_group, geography_code
