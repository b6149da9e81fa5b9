-- Emergency admissions per 1,000 population by financial year, for localities,
-- HSCPs, health boards and Scotland, all ages and 65+, with 95% and 99.8%
-- confidence intervals (Byar's method; exact Poisson below 10 events) and a
-- comparison with Scotland. The CI functions are Python UDFs registered by the
-- transforms.duckdb_udfs dbt-duckdb plugin, so the formula lives in one place.
{{ config(location=var('marts_dir') ~ '/emergency_admissions_per_1000.parquet') }}

with counts as (
    select counts.*, geo.*
    from {{ ref('int_emergency_admissions_by_datazone') }} as counts
    inner join {{ ref('int_geography_datazone_hierarchy') }} as geo using (datazone2011)
),

by_area as (
    {% set levels = [
        ('locality', 'locality_code', 'locality_name', 'hscp2019', 'hb2019', 'locality_lookup_basis'),
        ('hscp', 'hscp2019', 'hscp2019_name', 'hscp2019', 'hb2019', 'null'),
        ('health_board', 'hb2019', 'hb2019_name', 'null', 'hb2019', 'null'),
        ('scotland', 'country_code', 'country_name', 'null', 'null', 'null'),
    ] %}
    {% for level, code, name, hscp, hb, basis in levels %}
    select
        financial_year,
        age_group,
        '{{ level }}' as geography_level,
        {{ code }} as geography_code,
        {{ name }} as geography_name,
        {{ hscp }}::varchar as hscp2019,
        {{ hb }}::varchar as hb2019,
        {{ basis }}::varchar as locality_lookup_basis,
        sum(emergency_admissions)::bigint as numerator,
        sum(population)::bigint as denominator
    from counts
    group by all
    {% if not loop.last %}union all{% endif %}
    {% endfor %}
),

rates as (
    select
        *,
        1000.0 * numerator / nullif(denominator, 0) as rate_per_1000,
        byar_lower(numerator, denominator, 1000, 0.95) as ci95_lower,
        byar_upper(numerator, denominator, 1000, 0.95) as ci95_upper,
        byar_lower(numerator, denominator, 1000, 0.998) as ci998_lower,
        byar_upper(numerator, denominator, 1000, 0.998) as ci998_upper
    from by_area
),

scotland as (
    select financial_year, age_group, rate_per_1000 as scotland_rate_per_1000
    from rates
    where geography_level = 'scotland'
)

select
    'emergency_admissions_per_1000' as indicator_id,
    {{ financial_year_label('rates.financial_year') }} as period,
    'financial year' as period_type,
    make_date(rates.financial_year, 4, 1) as period_start,
    rates.geography_level,
    rates.geography_code,
    rates.geography_name,
    rates.hscp2019,
    rates.hb2019,
    'all' as simd_quintile,
    'Persons' as sex,
    rates.age_group,
    rates.numerator,
    rates.denominator,
    rates.rate_per_1000 as value,
    rates.ci95_lower,
    rates.ci95_upper,
    rates.ci998_lower,
    rates.ci998_upper,
    'crude rate' as method,
    1000 as multiplier,
    scotland.scotland_rate_per_1000 as scotland_value,
    case when rates.geography_level = 'scotland' then 'benchmark'
        else compare_with_benchmark(rates.ci95_lower, rates.ci95_upper, scotland.scotland_rate_per_1000)
    end as compared_with_scotland_95,
    null::varchar as quality_marker,
    rates.locality_lookup_basis,
    {{ var('is_synthetic') }} as is_synthetic,
    '{{ var("smr01_vintage") }}' as source_vintage
from rates
inner join scotland using (financial_year, age_group)
order by
    rates.financial_year,
    rates.age_group,
    case rates.geography_level
        when 'scotland' then 1 when 'health_board' then 2 when 'hscp' then 3 else 4 end,
    rates.geography_code
