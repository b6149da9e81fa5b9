{#-
  How each locality, HSCP and board compares: one row per indicator cell and
  comparator (long format, keyed like the indicators plus `comparator`).

  'Scotland': the verdict against the Scotland value at 95% and 99.8% read with the
  catalogue's polarity (polarity_verdict: better, worse, similar; higher, lower for no
  judgement). An indicator without confidence limits is 'not compared', except a
  measure of no judgement (population shares, the mean of beds occupied), whose
  value itself is compared (higher, lower or similar when equal), the rank (1 = best; 1 = highest for no
  judgement) and Fingertips quintile (1 = worst fifth, as Fingertips assigns them;
  highest for no judgement) among all areas of the level with a value, the funnel
  position, and the improvement opportunity at Scotland's rate.
  'peer family' (localities and HSCPs): the family mean (of the members' published
  values, the area's own included), the family's best quartile (25th percentile where
  high is bad, 75th where high is good), the verdict against the family mean, the
  rank within the family, and the opportunity at the best quartile.

  Built on the controlled indicators: a suppressed value (quality_marker 'c') is not
  ranked, not in any mean or quartile, and its own row keeps 'c' with no rank, verdict
  or opportunity; so does an incomplete one ('y', see cmp_indicator_values). Method: docs/methods/comparisons.md.
-#}
with ranked as (
    select
        *,
        case when value is not null then
                rank() over (
                    partition by indicator_id, period, geography_level, sex, age_group
                    order by case when polarity = 'high is bad' then value else -value end nulls last
                )
        end as scotland_rank,
        count(value) over (partition by indicator_id, period, geography_level, sex, age_group) as scotland_rank_of,
        fingertips_quintile(
            value,
            list(value) over (partition by indicator_id, period, geography_level, sex, age_group),
            polarity != 'high is good'
        ) as scotland_quintile,
        case when value is not null and family_id is not null then
                rank() over (
                    partition by indicator_id, period, geography_level, sex, age_group, family_id
                    order by case when polarity = 'high is bad' then value else -value end nulls last
                )
        end as family_rank,
        count(value) over (
            partition by indicator_id, period, geography_level, sex, age_group, family_id
        ) as family_rank_of,
        avg(value) over (
            partition by indicator_id, period, geography_level, sex, age_group, family_id
        ) as family_mean,
        best_quartile(
            list(value) over (partition by indicator_id, period, geography_level, sex, age_group, family_id),
            polarity
        ) as family_best_quartile
    from {{ ref('cmp_indicator_values') }}
),

positioned as (
    select
        ranked.*,
        funnels.funnel_position
    from ranked
    left join {{ ref('funnels') }} as funnels
        on ranked.indicator_id = funnels.indicator_id
            and ranked.period = funnels.period
            and ranked.geography_level = funnels.geography_level
            and ranked.geography_code = funnels.geography_code
            and ranked.sex = funnels.sex
            and ranked.age_group = funnels.age_group
),

compared as (
    select
        *,
        'Scotland' as comparator,
        'S92000003' as comparator_code,
        'Scotland' as comparator_name,
        scotland_value as comparator_value,
        null::double as best_quartile_value,
        scotland_rank as rank,
        scotland_rank_of as rank_of,
        scotland_quintile as quintile,
        funnel_position as funnel_position_value,
        scotland_value as target_value
    from positioned
    union all
    select
        *,
        'peer family' as comparator,
        family_id as comparator_code,
        family_name as comparator_name,
        family_mean as comparator_value,
        family_best_quartile as best_quartile_value,
        family_rank as rank,
        family_rank_of as rank_of,
        null::integer as quintile,
        null::varchar as funnel_position_value,
        family_best_quartile as target_value
    from positioned
    where family_id is not null
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
    comparator,
    comparator_code,
    comparator_name,
    value,
    comparator_value,
    best_quartile_value,
    polarity,
    case
        when value is null then 'not compared'
        when has_limits then polarity_verdict(ci95_lower, ci95_upper, comparator_value, polarity)
        when polarity = 'no judgement' then polarity_verdict(value, value, comparator_value, polarity)
        else 'not compared'
    end as verdict_95,
    case
        when value is null then 'not compared'
        when has_limits then polarity_verdict(ci998_lower, ci998_upper, comparator_value, polarity)
        when polarity = 'no judgement' then polarity_verdict(value, value, comparator_value, polarity)
        else 'not compared'
    end as verdict_998,
    rank::integer as rank,
    rank_of::integer as rank_of,
    quintile,
    funnel_position_value as funnel_position,
    case when opportunity_unit is not null
            then improvement_opportunity(numerator, denominator, value, target_value, multiplier, method, polarity)
    end as opportunity,
    opportunity_unit,
    quality_marker,
    is_synthetic,
    source_vintage
from compared
order by indicator_id, geography_level, period_start, sex, age_group, geography_code, comparator
