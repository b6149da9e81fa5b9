-- Every area's five quintile rows count everybody once: their numerators add to the
-- shared denominator (so the percentages add to 100). Rows returned are failures.
select
    period,
    geography_level,
    geography_code,
    age_group,
    count(*) as quintiles,
    sum(numerator) as counted,
    min(denominator) as population,
    max(denominator) as population_max
from {{ ref('simd_quintile_population_percent') }}
group by all
having count(*) <> 5 or sum(numerator) <> min(denominator) or min(denominator) <> max(denominator)
