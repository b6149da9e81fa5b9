{#-
  The long-format rows of a crude-rate indicator for every locality, HSCP, health
  board and Scotland, from counts by financial year, data zone and age group.

  `counts` is a relation with financial_year, datazone2011, age_group and the
  numerator and denominator columns named. Confidence intervals come from the
  Python UDFs registered by transforms.duckdb_udfs (Byar; exact Poisson below 10)
  when `with_ci` is true; measures whose events are not independent (bed days)
  pass with_ci=false and get null limits and no comparison.
-#}
{% macro crude_rate_by_area(counts, indicator_id, numerator, denominator, multiplier, method='crude rate', with_ci=true) %}
{% set levels = [
    ('locality', 'locality_code', 'locality_name', 'hscp2019', 'hb2019', 'locality_lookup_basis'),
    ('hscp', 'hscp2019', 'hscp2019_name', 'hscp2019', 'hb2019', 'null'),
    ('health_board', 'hb2019', 'hb2019_name', 'null', 'hb2019', 'null'),
    ('scotland', 'country_code', 'country_name', 'null', 'null', 'null'),
] %}
with counts as (
    select counts.*, geo.*
    from {{ counts }} as counts
    inner join {{ ref('int_geography_datazone_hierarchy') }} as geo using (datazone2011)
),

by_area as (
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
        sum({{ numerator }})::bigint as numerator,
        sum({{ denominator }})::bigint as denominator
    from counts
    group by all
    {% if not loop.last %}union all{% endif %}
    {% endfor %}
),

rates as (
    select
        *,
        {{ multiplier }} * numerator / nullif(denominator, 0) as value,
        {% for conf, suffix in [(0.95, '95'), (0.998, '998')] %}
        {% if with_ci %}
        byar_lower(numerator, denominator, {{ multiplier }}, {{ conf }}) as ci{{ suffix }}_lower,
        byar_upper(numerator, denominator, {{ multiplier }}, {{ conf }}) as ci{{ suffix }}_upper{{ ',' if not loop.last }}
        {% else %}
        null::double as ci{{ suffix }}_lower,
        null::double as ci{{ suffix }}_upper{{ ',' if not loop.last }}
        {% endif %}
        {% endfor %}
    from by_area
),

scotland as (
    select financial_year, age_group, value as scotland_value
    from rates
    where geography_level = 'scotland'
)

select
    '{{ indicator_id }}' as indicator_id,
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
    rates.value,
    rates.ci95_lower,
    rates.ci95_upper,
    rates.ci998_lower,
    rates.ci998_upper,
    '{{ method }}' as method,
    {{ multiplier }} as multiplier,
    scotland.scotland_value,
    case when rates.geography_level = 'scotland' then 'benchmark'
        {% if with_ci %}
        else compare_with_benchmark(rates.ci95_lower, rates.ci95_upper, scotland.scotland_value)
        {% endif %}
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
{% endmacro %}
