{#-
  One row per HSCP: how it compares in the latest period of each indicator, for the
  indicator's headline age group (the first of its catalogue age groups: 'All ages'
  where it has one). Counts of the verdicts at 95% against Scotland and against the
  peer family mean, the family and its members, and the three largest improvement
  opportunities against the family's best quartile, largest relative to the area's
  own count first (units differ between indicators, so counts are not ranked against
  each other). Built from `comparisons`, so on the controlled indicators only.
-#}
with headline as (
    select *
    from (
        values
        {%- for entry in catalogue_entries().values() %}
            ('{{ entry.id }}', '{{ entry.age_groups[0] }}'){{ ',' if not loop.last }}
        {%- endfor %}
    ) as entries (indicator_id, age_group)
),

latest as (
    select
        comparisons.*,
        max(comparisons.period_start) over (partition by comparisons.indicator_id) as latest_start
    from {{ ref('comparisons') }} as comparisons
    inner join headline
        on comparisons.indicator_id = headline.indicator_id
            and comparisons.age_group = headline.age_group
    where comparisons.geography_level = 'hscp'
),

cells as (
    select * from latest
    where period_start = latest_start
),

counts as (
    select
        geography_code,
        any_value(geography_name) as geography_name,
        count(distinct indicator_id) as indicators,
        count(*) filter (where comparator = 'Scotland' and verdict_95 = 'better') as better_than_scotland,
        count(*) filter (where comparator = 'Scotland' and verdict_95 = 'worse') as worse_than_scotland,
        count(*) filter (where comparator = 'Scotland' and verdict_95 = 'similar') as similar_to_scotland,
        count(*) filter (where comparator = 'peer family' and verdict_95 = 'better') as better_than_family,
        count(*) filter (where comparator = 'peer family' and verdict_95 = 'worse') as worse_than_family,
        count(*) filter (where comparator = 'peer family' and verdict_95 = 'similar') as similar_to_family,
        any_value(comparator_code) filter (where comparator = 'peer family') as family_id,
        any_value(comparator_name) filter (where comparator = 'peer family') as family_name,
        bool_or(is_synthetic) as is_synthetic
    from cells
    group by geography_code
),

opportunities as (
    select
        cells.geography_code,
        cells.indicator_id,
        cells.period,
        cells.opportunity,
        cells.opportunity_unit,
        cells.opportunity / values_.numerator as share_of_count,
        row_number() over (
            partition by cells.geography_code
            order by cells.opportunity / values_.numerator desc, cells.indicator_id
        ) as place
    from cells
    inner join {{ ref('cmp_indicator_values') }} as values_
        on cells.indicator_id = values_.indicator_id
            and cells.period = values_.period
            and cells.geography_level = values_.geography_level
            and cells.geography_code = values_.geography_code
            and cells.sex = values_.sex
            and cells.age_group = values_.age_group
    where cells.comparator = 'peer family'
        and cells.opportunity > 0
        and values_.numerator > 0
),

members as (
    select
        family_id,
        string_agg(geography_name, ', ' order by geography_name) as family_members
    from {{ source('controlled', 'peer_families') }}
    where geography_level = 'hscp'
    group by family_id
)

select
    'hscp' as geography_level,
    counts.geography_code,
    counts.geography_name,
    counts.indicators,
    counts.better_than_scotland,
    counts.worse_than_scotland,
    counts.similar_to_scotland,
    counts.better_than_family,
    counts.worse_than_family,
    counts.similar_to_family,
    counts.family_id,
    counts.family_name,
    members.family_members,
    {%- for place in [1, 2, 3] %}
        opportunity_{{ place }}.indicator_id as opportunity_{{ place }}_indicator_id,
        opportunity_{{ place }}.period as opportunity_{{ place }}_period,
        opportunity_{{ place }}.opportunity as opportunity_{{ place }},
        opportunity_{{ place }}.opportunity_unit as opportunity_{{ place }}_unit,
        opportunity_{{ place }}.share_of_count as opportunity_{{ place }}_share_of_count,
    {%- endfor %}
    counts.is_synthetic
from counts
left join members
    on counts.family_id = members.family_id
{%- for place in [1, 2, 3] %}
    left join opportunities as opportunity_{{ place }}
        on counts.geography_code = opportunity_{{ place }}.geography_code
            and opportunity_{{ place }}.place = {{ place }}
{%- endfor %}
order by counts.geography_code
