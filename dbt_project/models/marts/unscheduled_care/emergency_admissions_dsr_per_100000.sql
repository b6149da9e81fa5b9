-- Emergency admissions per 100,000 population, directly age-standardised to the
-- 2013 European Standard Population (19 bands, 90+ last), with Dobson limits at 95%
-- and 99.8% from the dsr() UDF (transforms.stats.standardised: one formula for SQL
-- and Python). Intermediate zones to Scotland, all ages; not published (null value,
-- quality_marker 'x') where the area has fewer than 10 admissions or a band has no
-- population, as PHE and ScotPHO do not publish such rates.
{{ config(location=var('marts_dir') ~ '/emergency_admissions_dsr_per_100000.parquet') }}

{%- set levels = [
    ('intzone', 'intzone2011', 'intzone2011_name', 'intzone2011', 'null', 'hscp2019', 'hb2019'),
    ('locality', 'locality_code', 'locality_name', 'null', 'locality_code', 'hscp2019', 'hb2019'),
    ('hscp', 'hscp2019', 'hscp2019_name', 'null', 'null', 'hscp2019', 'hb2019'),
    ('health_board', 'hb2019', 'hb2019_name', 'null', 'null', 'null', 'hb2019'),
    ('scotland', 'country_code', 'country_name', 'null', 'null', 'null', 'null'),
] %}

with counts as (
    select counts.*, geo.*
    from {{ ref('int_emergency_admissions_by_datazone_band') }} as counts
    inner join {{ ref('int_geography_datazone_hierarchy') }} as geo
        on counts.datazone2011 = geo.datazone2011
),

by_band as (
    {%- for level, code, name, iz, loc, hscp, hb in levels %}
    select
        financial_year,
        '{{ level }}' as geography_level,
        {{ code }} as geography_code,
        {{ name }} as geography_name,
        {{ iz }}::varchar as intzone2011,
        {{ loc }}::varchar as locality_code,
        {{ hscp }}::varchar as hscp2019,
        {{ hb }}::varchar as hb2019,
        {{ "locality_lookup_basis" if level == 'locality' else "null::varchar" }} as locality_lookup_basis,
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
        dsr(list(admissions order by by_band.age_band_index), list(population order by by_band.age_band_index),
            list(standard_population order by by_band.age_band_index), 100000, 0.95) as ci95,
        dsr(list(admissions order by by_band.age_band_index), list(population order by by_band.age_band_index),
            list(standard_population order by by_band.age_band_index), 100000, 0.998) as ci998
    from by_band
    inner join {{ ref('esp2013') }} as bands
        on by_band.age_band_index = bands.age_band_index
    group by all
),

scotland as (
    select financial_year, ci95.value as scotland_value
    from by_area
    where geography_level = 'scotland'
)

select
    'emergency_admissions_dsr_per_100000' as indicator_id,
    {{ financial_year_label('by_area.financial_year') }} as period,
    'financial year' as period_type,
    make_date(by_area.financial_year, 4, 1) as period_start,
    by_area.geography_level,
    by_area.geography_code,
    by_area.geography_name,
    by_area.intzone2011,
    by_area.locality_code,
    by_area.hscp2019,
    by_area.hb2019,
    'all' as simd_quintile,
    'Persons' as sex,
    'All ages' as age_group,
    by_area.numerator,
    by_area.denominator,
    by_area.ci95.value as value,
    by_area.ci95.lower as ci95_lower,
    by_area.ci95.upper as ci95_upper,
    by_area.ci998.lower as ci998_lower,
    by_area.ci998.upper as ci998_upper,
    'directly age-standardised rate' as method,
    100000 as multiplier,
    scotland.scotland_value,
    case when by_area.geography_level = 'scotland' then 'benchmark'
        when by_area.ci95.value is not null
            then compare_with_benchmark(by_area.ci95.lower, by_area.ci95.upper, scotland.scotland_value)
    end as compared_with_scotland_95,
    -- [x] not available: fewer than 10 events or a band with no population (dsr reason).
    case when by_area.ci95.value is null then 'x' end as quality_marker,
    by_area.locality_lookup_basis,
    {{ var('smr01_is_synthetic') }} as is_synthetic,
    '{{ var("smr01_vintage") }}' as source_vintage
from by_area
left join scotland on by_area.financial_year = scotland.financial_year
order by
    by_area.financial_year,
    case by_area.geography_level
        when 'scotland' then 1 when 'health_board' then 2 when 'hscp' then 3 when 'locality' then 4 else 5 end,
    by_area.geography_code
