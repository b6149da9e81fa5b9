-- Emergency admissions per 100,000 population, directly age-standardised to the
-- 2013 European Standard Population (19 bands, 90+ last), with Dobson limits at the
-- catalogue's confidence levels from the dsr() UDF (transforms.stats.standardised:
-- one formula for SQL and Python). All ages; not published (null value,
-- quality_marker 'x') where the area has fewer than 10 admissions or a band has no
-- population, as PHE and ScotPHO do not publish such rates. The rates come from
-- dsr() over the bands, not from indicator_mart; the levels and the output are
-- the macro's (indicator_levels, indicator_rows).
{%- set entry = catalogue_entry('emergency_admissions_dsr_per_100000') %}

with counts as (
    select
        counts.*,
        geo.*
    from {{ ref('int_emergency_admissions_by_datazone_band') }} as counts
    inner join {{ ref('int_geography_datazone_hierarchy') }} as geo
        on counts.datazone2011 = geo.datazone2011
),

by_band as (
    {%- for level in indicator_levels(entry.geography_levels) %}
    select
        financial_year,
        {{ indicator_level_columns(level) }},
        age_band_index,
        sum(emergency_admissions)::bigint as admissions,
        sum(population)::bigint as population
    from counts
    group by all
    {% if not loop.last %}union all{% endif %}
    {%- endfor %}
),

by_area as (
    select
        by_band.* exclude (age_band_index, admissions, population),
        sum(admissions)::bigint as numerator,
        sum(population)::bigint as denominator,
    {%- for ci in entry.confidence_levels %}
    dsr(
        list(admissions order by by_band.age_band_index),
        list(population order by by_band.age_band_index),
        list(standard_population order by by_band.age_band_index),
        {{ entry.multiplier }},
        {{ ci.level }}
    ) as dsr{{ ci.suffix }}{{ ',' if not loop.last }}
    {%- endfor %}
    from by_band
    inner join {{ ref('esp2013') }} as bands
        on by_band.age_band_index = bands.age_band_index
    group by all
),

measured as (
    select
        by_area.* exclude (
            {%- for ci in entry.confidence_levels %}
            dsr{{ ci.suffix }}{{ ',' if not loop.last }}
            {%- endfor %}
        ),
        financial_year as period_key,
        'All ages' as age_group,
        'all' as simd_quintile,
        dsr{{ entry.confidence_levels[0].suffix }}.value as value,
        {% call(ci, side) indicator_ci_columns(entry) %}dsr{{ ci.suffix }}.{{ side }}{% endcall %}  -- noqa: LT02
    from by_area
),

-- [x] not available: fewer than 10 events or a band with no population (dsr reason).
{{ indicator_rows(entry, quality_marker="case when measured.value is null then 'x' end") }}
