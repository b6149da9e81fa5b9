{#-
  The rows every comparison starts from: the controlled indicators of the levels that
  are compared (localities, HSCPs, boards), all SIMD quintiles together, with what the
  catalogue says of each indicator (polarity, the events of its improvement
  opportunity, whether it has confidence limits) and the area's peer family.

  A value marked 'y' (incomplete: a lower bound, as where published cells below 5
  are absent) is not compared: its value, numerator and limits are left out here,
  so it gets no verdict, rank, quintile, funnel position, trend period or
  opportunity, and is in no family mean; its marker is kept. An incomplete
  Scotland value is no benchmark either.
-#}
with catalogue as (
    select *
    from (
        values
        {%- for entry in catalogue_entries().values() %}
            (
                '{{ entry.id }}',
                '{{ entry.polarity }}',
                nullif('{{ entry.opportunity_unit }}', ''),
                {{ 'true' if entry.confidence_levels else 'false' }}
            ){{ ',' if not loop.last }}
        {%- endfor %}
    ) as entries (indicator_id, polarity, opportunity_unit, has_limits)
)

select
    indicators.indicator_id,
    indicators.period,
    indicators.period_type,
    indicators.period_start,
    indicators.geography_level,
    indicators.geography_code,
    indicators.geography_name,
    indicators.hscp2019,
    indicators.hb2019,
    indicators.simd_quintile,
    indicators.sex,
    indicators.age_group,
    case when coalesce(indicators.quality_marker, '') != 'y' then indicators.numerator::double end as numerator,
    indicators.denominator::double as denominator,
    case when coalesce(indicators.quality_marker, '') != 'y' then indicators.value end as value,
    case when coalesce(indicators.quality_marker, '') != 'y' then indicators.ci95_lower end as ci95_lower,
    case when coalesce(indicators.quality_marker, '') != 'y' then indicators.ci95_upper end as ci95_upper,
    case when coalesce(indicators.quality_marker, '') != 'y' then indicators.ci998_lower end as ci998_lower,
    case when coalesce(indicators.quality_marker, '') != 'y' then indicators.ci998_upper end as ci998_upper,
    indicators.method,
    indicators.multiplier::double as multiplier,
    case when coalesce(scotland.quality_marker, '') != 'y' then indicators.scotland_value end as scotland_value,
    indicators.quality_marker,
    indicators.is_synthetic,
    indicators.source_vintage,
    catalogue.polarity,
    catalogue.opportunity_unit,
    catalogue.has_limits,
    families.family_id,
    families.family_name,
    families.family_size
from {{ source('controlled', 'indicators') }} as indicators
inner join catalogue
    on indicators.indicator_id = catalogue.indicator_id
left join {{ source('controlled', 'indicators') }} as scotland
    on indicators.indicator_id = scotland.indicator_id
        and indicators.period = scotland.period
        and indicators.sex = scotland.sex
        and indicators.age_group = scotland.age_group
        and scotland.simd_quintile = 'all'
        and scotland.geography_level = 'scotland'
left join {{ source('controlled', 'peer_families') }} as families
    on indicators.geography_level = families.geography_level
        and indicators.geography_code = families.geography_code
where indicators.geography_level in ('locality', 'hscp', 'health_board')
    and indicators.simd_quintile = 'all'
