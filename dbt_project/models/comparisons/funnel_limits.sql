{#-
  The control-limit curves of every funnel plot in `funnels`: for each indicator,
  period, level and age group, the limits at 50 denominators spaced evenly on a log
  scale from 80% of the smallest area's denominator to 120% of the largest, around
  the same Scotland benchmark, so that a chart can draw the funnel without the
  statistics. `at_denominator` is a point on the x axis, not a count of anyone.
-#}
with plots as (
    select
        indicator_id,
        period,
        period_type,
        period_start,
        geography_level,
        sex,
        age_group,
        method,
        multiplier,
        benchmark,
        ln(0.8 * min(denominator)) as log_low,
        ln(1.2 * max(denominator)) as log_high
    from {{ ref('funnels') }}
    group by all
),

points as (
    select
        plots.*,
        steps.step as point,
        exp(plots.log_low + steps.step / 49.0 * (plots.log_high - plots.log_low)) as at_denominator
    from plots
    cross join range(50) as steps (step)
),

limited as (
    {{ funnel_limited('points', 'at_denominator', 'benchmark') }}
)

select
    indicator_id,
    period,
    period_type,
    period_start,
    geography_level,
    sex,
    age_group,
    method,
    multiplier,
    benchmark,
    point,
    at_denominator,
    limits_95.lower as lower_95,
    limits_95.upper as upper_95,
    limits_998.lower as lower_998,
    limits_998.upper as upper_998
from limited
order by indicator_id, geography_level, period_start, sex, age_group, point
