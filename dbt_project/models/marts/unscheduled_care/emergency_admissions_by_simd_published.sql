{{ config(
    enabled=var('has_public_admissions_hscp_simd'),
    location=var('marts_dir') ~ '/emergency_admissions_by_simd_published.parquet',
) }}

-- Emergency admissions per 1,000 population by HSCP and SIMD quintile, from the
-- published PHS aggregate "Hospital admissions by HSCP and deprivation" (no data
-- zones, so not the data-zone macro crude_rate_by_area; same output columns).
-- Rows for each quintile ('1' most deprived .. '5') and for all quintiles, for
-- HSCPs, health boards (HSCPs nest in boards) and Scotland, which are sums of their
-- HSCPs: the file has no Scotland rows. Byar intervals; an area's quintile row is
-- compared with Scotland's row of the same quintile.
{% set levels = [
    ('hscp', 'hscp2019', 'hscp2019_name', 'hscp2019', 'hb2019'),
    ('health_board', 'hb2019', 'hb2019_name', 'null', 'hb2019'),
    ('scotland', "'S92000003'", "'Scotland'", 'null', 'null'),
] %}
with hscps as (
    select distinct hscp2019, hscp2019_name, hb2019, hb2019_name
    from {{ ref('int_geography_datazone_hierarchy') }}
),

counts as (
    select counts.*, hscps.hscp2019_name, hscps.hb2019, hscps.hb2019_name
    from {{ ref('int_public_emergency_admissions_hscp_simd') }} as counts
    inner join hscps on counts.hscp2019 = hscps.hscp2019
),

by_quintile as (
    select *, simd_quintile::varchar as quintile from counts
    union all
    select *, 'all' as quintile from counts
),

by_area as (
    {% for level, code, name, hscp, hb in levels %}
    select
        financial_year,
        quintile as simd_quintile,
        '{{ level }}' as geography_level,
        {{ code }} as geography_code,
        {{ name }} as geography_name,
        {{ hscp }}::varchar as hscp2019,
        {{ hb }}::varchar as hb2019,
        sum(emergency_admissions)::bigint as numerator,
        sum(population)::bigint as denominator,
        sum(weeks_absent)::bigint as cells_absent
    from by_quintile
    group by all
    {% if not loop.last %}union all{% endif %}
    {% endfor %}
),

rates as (
    select
        *,
        1000 * numerator / nullif(denominator, 0) as value,
        {% for conf, suffix in [(0.95, '95'), (0.998, '998')] %}
        byar_lower(numerator, denominator, 1000, {{ conf }}) as ci{{ suffix }}_lower,
        byar_upper(numerator, denominator, 1000, {{ conf }}) as ci{{ suffix }}_upper{{ ',' if not loop.last }}
        {% endfor %}
    from by_area
),

scotland as (
    select financial_year, simd_quintile, value as scotland_value
    from rates
    where geography_level = 'scotland'
)

select
    'emergency_admissions_by_simd_published' as indicator_id,
    {{ financial_year_label('rates.financial_year') }} as period,
    'financial year' as period_type,
    make_date(rates.financial_year, 4, 1) as period_start,
    rates.geography_level,
    rates.geography_code,
    rates.geography_name,
    rates.hscp2019,
    rates.hb2019,
    rates.simd_quintile,
    'Persons' as sex,
    'All ages' as age_group,
    rates.numerator,
    rates.denominator,
    rates.value,
    rates.ci95_lower,
    rates.ci95_upper,
    rates.ci998_lower,
    rates.ci998_upper,
    'crude rate' as method,
    1000 as multiplier,
    scotland.scotland_value,
    case when rates.geography_level = 'scotland' then 'benchmark'
        else compare_with_benchmark(rates.ci95_lower, rates.ci95_upper, scotland.scotland_value)
    end as compared_with_scotland_95,
    -- 'y' (incomplete, PHS statistical qualifiers): cells below 5 are absent from
    -- the file, so the count is a lower bound (by up to 4 per absent cell).
    case when rates.cells_absent > 0 then 'y' end as quality_marker,
    null::varchar as locality_lookup_basis,
    {{ var('public_admissions_hscp_simd_is_synthetic') }} as is_synthetic,
    '{{ var("public_admissions_hscp_simd_vintage") }}' as source_vintage
from rates
inner join scotland using (financial_year, simd_quintile)
order by
    rates.financial_year,
    case rates.geography_level when 'scotland' then 1 when 'health_board' then 2 else 3 end,
    rates.geography_code,
    rates.simd_quintile
