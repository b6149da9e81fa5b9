{#-
  The long-format rows of a simple (not standardised) indicator for every
  geography level, from counts by period, data zone and age group.

  Arguments:
    counts         relation with the period column, datazone2011, age_group and
                   the numerator (and denominator) columns; rows are summed, so
                   several rows per key are fine.
    indicator_id   catalogue id written to every row.
    numerator      column of `counts` summed over the data zones of an area.
    denominator    column of `counts` summed likewise, or 'days in period' for a
                   mean per day (the days of the period, not summed).
    multiplier     value = multiplier * numerator / denominator (1000 per 1,000,
                   100 for a percentage, 1 for a mean).
    method         'crude rate' (Byar limits, exact Poisson below 10 events),
                   'percentage' (Wilson score limits) or any other catalogue
                   method, which gets no interval.
    with_ci        false to give no interval even for a rate (bed days are not
                   independent events); default: true for crude rate and percentage.
    benchmark      false to leave scotland_value empty where a comparison with
                   Scotland means nothing (counts of beds).
    period         the period column of `counts`: the starting year when
                   period_type is 'financial year' or 'calendar year', a date in
                   the month when it is 'month'.
    period_type    'financial year' (label '2022/23'), 'calendar year' ('2022')
                   or 'month' ('2022-04').
    simd_levels    levels that also get rows by SIMD 2020v2 national quintile
                   ('1' to '5'); areas with no data zone in a quintile get no row.
    source_vintage vintage label of the numerator's extract (default: SMR01).
    is_synthetic   SQL boolean: is the numerator's extract synthetic (default:
                   var('is_synthetic'), true when any input of the run is).
    marker         optional SQL expression over `measured.period_key` giving a
                   quality marker ('p' provisional, 'r' revised) where it
                   applies and null elsewhere; 'z' (no value) takes precedence.

  Levels: 'datazone' (counts only: value, limits and comparison null,
  quality_marker 'z'), 'intzone', 'locality', 'hscp', 'health_board',
  'scotland'. Parent codes intzone2011, locality_code, hscp2019 and hb2019 hold
  the row's own code and those of the areas it nests in, null otherwise
  (intermediate zones do not nest in localities). Methods: docs/methods/geography.md
  and docs/methods/rates.md. Limits come from the Python UDFs registered by
  transforms.udfs.
-#}
{% macro indicator_by_area(counts, indicator_id, numerator, denominator, multiplier, method='crude rate',
    with_ci=none, benchmark=true, period='financial_year', period_type='financial year',
    simd_levels=['hscp', 'health_board', 'scotland'], source_vintage=none, is_synthetic=none,
    marker=none) %}
{%- set ci_functions = {'crude rate': 'byar', 'percentage': 'wilson'} -%}
{%- if with_ci is none -%}{%- set with_ci = method in ci_functions -%}{%- endif -%}
{%- if with_ci and method not in ci_functions -%}
    {{ exceptions.raise_compiler_error("indicator_by_area: no confidence interval for method '" ~ method ~ "'") }}
{%- endif -%}
{%- set source_vintage = var('smr01_vintage') if source_vintage is none else source_vintage -%}
{%- set is_synthetic = var('is_synthetic') if is_synthetic is none else is_synthetic -%}
{%- set days = denominator == 'days in period' -%}
{#- level, code, name, intzone2011, locality_code, hscp2019, hb2019, locality_lookup_basis -#}
{%- set levels = [
    ('datazone', 'datazone2011', 'datazone2011_name', 'intzone2011', 'locality_code', 'hscp2019', 'hb2019', 'locality_lookup_basis'),
    ('intzone', 'intzone2011', 'intzone2011_name', 'intzone2011', 'null', 'hscp2019', 'hb2019', 'null'),
    ('locality', 'locality_code', 'locality_name', 'null', 'locality_code', 'hscp2019', 'hb2019', 'locality_lookup_basis'),
    ('hscp', 'hscp2019', 'hscp2019_name', 'null', 'null', 'hscp2019', 'hb2019', 'null'),
    ('health_board', 'hb2019', 'hb2019_name', 'null', 'null', 'null', 'hb2019', 'null'),
    ('scotland', 'country_code', 'country_name', 'null', 'null', 'null', 'null', 'null'),
] -%}
{%- set level_names = levels | map(attribute=0) | list -%}
{%- for level in simd_levels if level not in level_names[1:] -%}
    {{ exceptions.raise_compiler_error("indicator_by_area: no SIMD rows at level '" ~ level ~ "'") }}
{%- endfor -%}
with counts as (
    select
        counts.{{ period }} as period_key,
        counts.age_group,
        geo.*,
        counts.{{ numerator }} as numerator_count{% if not days %},
        counts.{{ denominator }} as denominator_count{% endif %}
    from {{ counts }} as counts
    inner join {{ ref('int_geography_datazone_hierarchy') }} as geo
        on counts.datazone2011 = geo.datazone2011
),

by_area as (
    {%- for level, code, name, iz, loc, hscp, hb, basis in levels %}
    {%- for quintile in (['all', 'quintile'] if level in simd_levels else ['all']) %}
    select
        period_key,
        age_group,
        '{{ level }}' as geography_level,
        {{ code }} as geography_code,
        {{ name }} as geography_name,
        {{ iz }}::varchar as intzone2011,
        {{ loc }}::varchar as locality_code,
        {{ hscp }}::varchar as hscp2019,
        {{ hb }}::varchar as hb2019,
        {{ "'all'" if quintile == 'all' else 'simd2020v2_sc_quintile::varchar' }} as simd_quintile,
        {{ basis }}::varchar as locality_lookup_basis,
        sum(numerator_count)::bigint as numerator,
        {% if days -%}
        date_diff('day', {{ indicator_period_start('period_key', period_type) }},
            {{ indicator_period_end('period_key', period_type) }})::bigint as denominator
        {%- else -%}
        sum(denominator_count)::bigint as denominator
        {%- endif %}
    from counts
    group by all
    {% if not loop.last %}union all{% endif %}
    {%- endfor %}
    {% if not loop.last %}union all{% endif %}
    {%- endfor %}
),

measured as (
    select
        *,
        -- Data zones are too small for a published rate: counts only.
        case when geography_level != 'datazone'
            then {{ multiplier }} * numerator / nullif(denominator, 0) end as value,
        {%- for conf, suffix in [(0.95, '95'), (0.998, '998')] %}
        {%- for side in ['lower', 'upper'] %}
        {%- if with_ci %}
        case when geography_level != 'datazone' then {{ ci_functions[method] }}_{{ side }}(
            numerator, denominator, {{ multiplier }}, {{ conf }}) end as ci{{ suffix }}_{{ side }}
        {%- else %}
        null::double as ci{{ suffix }}_{{ side }}
        {%- endif %}{{ ',' if not (loop.last and suffix == '998') }}
        {%- endfor %}
        {%- endfor %}
    from by_area
),

scotland as (
    select period_key, age_group, simd_quintile, value as scotland_value
    from measured
    where geography_level = 'scotland'
)

select
    '{{ indicator_id }}' as indicator_id,
    {{ indicator_period_label('measured.period_key', period_type) }} as period,
    '{{ period_type }}' as period_type,
    {{ indicator_period_start('measured.period_key', period_type) }} as period_start,
    measured.geography_level,
    measured.geography_code,
    measured.geography_name,
    measured.intzone2011,
    measured.locality_code,
    measured.hscp2019,
    measured.hb2019,
    measured.simd_quintile,
    'Persons' as sex,
    measured.age_group,
    measured.numerator,
    measured.denominator,
    measured.value,
    measured.ci95_lower,
    measured.ci95_upper,
    measured.ci998_lower,
    measured.ci998_upper,
    '{{ method }}' as method,
    {{ multiplier }} as multiplier,
    {{ 'scotland.scotland_value' if benchmark else 'null::double' }} as scotland_value,
    case when measured.geography_level = 'scotland' then 'benchmark'
        {%- if with_ci and benchmark %}
        when measured.value is not null
            then compare_with_benchmark(measured.ci95_lower, measured.ci95_upper, scotland.scotland_value)
        {%- endif %}
    end as compared_with_scotland_95,
    -- [z] not applicable: no value at data zone level, or no population to divide by.
    -- Disclosure control ([c]) is applied when the release is published.
    case when measured.value is null then 'z'
        {%- if marker is not none %} else {{ marker }}{% endif %} end as quality_marker,
    measured.locality_lookup_basis,
    ({{ is_synthetic }})::boolean as is_synthetic,
    '{{ source_vintage }}' as source_vintage
from measured
left join scotland
    on measured.period_key = scotland.period_key
    and measured.age_group = scotland.age_group
    and measured.simd_quintile = scotland.simd_quintile
-- A total order on the unique key, so that two builds write identical files.
order by
    measured.period_key,
    measured.age_group,
    case measured.geography_level
        {%- for level in level_names | reverse %}
        when '{{ level }}' then {{ loop.index }}
        {%- endfor %}
    end,
    measured.simd_quintile != 'all',
    measured.simd_quintile,
    measured.geography_code
{% endmacro %}


{#- Label, first day and the day after the last day of a period, from the period
    column of indicator_by_area. -#}
{% macro indicator_period_label(column, period_type) -%}
    {%- if period_type == 'financial year' -%}{{ financial_year_label(column) }}
    {%- elif period_type == 'calendar year' -%}({{ column }})::varchar
    {%- elif period_type == 'month' -%}strftime({{ column }}, '%Y-%m')
    {%- else -%}{{ exceptions.raise_compiler_error("unsupported period_type '" ~ period_type ~ "'") }}
    {%- endif -%}
{%- endmacro %}

{% macro indicator_period_start(column, period_type) -%}
    {%- if period_type == 'financial year' -%}make_date({{ column }}, 4, 1)
    {%- elif period_type == 'calendar year' -%}make_date({{ column }}, 1, 1)
    {%- elif period_type == 'month' -%}date_trunc('month', {{ column }})::date
    {%- else -%}{{ exceptions.raise_compiler_error("unsupported period_type '" ~ period_type ~ "'") }}
    {%- endif -%}
{%- endmacro %}

{% macro indicator_period_end(column, period_type) -%}
    ({{ indicator_period_start(column, period_type) }}
        + interval 1 {{ 'month' if period_type == 'month' else 'year' }})::date
{%- endmacro %}
