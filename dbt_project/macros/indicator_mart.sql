{#-
  Every indicator mart is built from its catalogue entry (catalogue/<id>.yml, read
  through catalogue_entry() of macros/catalogue.sql, which is generated from it):
  the method, multiplier, confidence levels, sex, age groups, geography levels,
  period type and source inputs are never restated in a mart.

  indicator_mart() builds a mart from counts by period, data zone and age group.
  The marts it cannot build (a DSR over ESP2013 bands, the SII, the published
  aggregates, which have no data zones) make their own rows per area and share
  its pieces: indicator_levels() and indicator_level_columns() (the geography
  levels and their columns), indicator_measures() (value and limits of a rate or
  percentage), indicator_ci_columns() (the confidence limit columns of the
  entry's levels) and indicator_rows() (the Scotland comparison and the
  output columns, in a total order).

  Levels: 'datazone' (counts only: value, limits and comparison null,
  quality_marker 'z'), 'intzone', 'locality', 'hscp', 'health_board',
  'scotland'. Parent codes intzone2011, locality_code, hscp2019 and hb2019 hold
  the row's own code and those of the areas it nests in, null otherwise
  (intermediate zones do not nest in localities). Methods: docs/methods/geography.md
  and docs/methods/rates.md. Limits come from the Python UDFs registered by
  transforms.udfs: Byar (exact Poisson below 10 events) for a crude rate,
  Wilson for a percentage; a catalogue entry with no confidence_levels gets none
  (bed days are not independent events).

  Arguments of indicator_mart:
    indicator_id   the catalogue id.
    counts         relation with the period column, datazone2011, age_group and
                   the numerator (and denominator) columns; rows are summed, so
                   several rows per key are fine. Only the entry's age groups are
                   kept.
    numerator      column of `counts` summed over the data zones of an area.
    denominator    column of `counts` summed likewise, or 'days in period' for a
                   mean per day (the days of the period, not summed).
    benchmark      false to leave scotland_value empty where a comparison with
                   Scotland means nothing (counts of beds).
    period         the period column of `counts`: the starting year when the
                   entry's period_type is 'financial year' or 'calendar year', a
                   date in the month when it is 'month'.
    simd_levels    levels that also get rows by SIMD 2020v2 national quintile
                   ('1' to '5'); areas with no data zone in a quintile get no row.
    source_vintage, is_synthetic: see indicator_rows (default: the entry's source
                   inputs).
-#}
{% macro indicator_mart(indicator_id, counts, numerator, denominator, benchmark=true, period='financial_year',
    simd_levels=['hscp', 'health_board', 'scotland'], source_vintage=none, is_synthetic=none) %}
{%- set entry = catalogue_entry(indicator_id) -%}
{%- set days = denominator == 'days in period' -%}
{%- for level in simd_levels if level == 'datazone' or level not in entry.geography_levels -%}
    {{ exceptions.raise_compiler_error("indicator_mart " ~ indicator_id ~ ": no SIMD rows at level '" ~ level ~ "'") }}
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
    where counts.age_group in ({% for group in entry.age_groups %}'{{ group }}'{{ ', ' if not loop.last }}{% endfor %})
),

by_area as (
    {%- for level in indicator_levels(entry.geography_levels) %}
    {%- for quintile in (['all', 'quintile'] if level.level in simd_levels else ['all']) %}
    select
        period_key,
        age_group,
        {{ indicator_level_columns(level) }},
        {{ "'all'" if quintile == 'all' else 'simd2020v2_sc_quintile::varchar' }} as simd_quintile,
        sum(numerator_count)::bigint as numerator,
        {% if days -%}
        date_diff('day', {{ indicator_period_start('period_key', entry.period_type) }},
            {{ indicator_period_end('period_key', entry.period_type) }})::bigint as denominator
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

{{ indicator_measured_rows(entry, benchmark=benchmark, source_vintage=source_vintage, is_synthetic=is_synthetic) }}
{% endmacro %}


{#- The last two steps of a mart whose CTE by_area holds the level columns, numerator
    and denominator: the value and limits (CTE measured, indicator_measures), then
    the output rows (indicator_rows, which gets the keyword arguments). -#}
{% macro indicator_measured_rows(entry) -%}
measured as (
    select
        *,
        {{ indicator_measures(entry) }}
    from by_area
),

{{ indicator_rows(entry, **kwargs) }}
{%- endmacro %}


{#- The geography levels of a mart, in this order, as dicts of the columns of
    int_geography_datazone_hierarchy (or SQL) each output column takes. `names`:
    the levels wanted (a catalogue entry's geography_levels). -#}
{% macro indicator_levels(names) %}
{%- set levels = [
    {'level': 'datazone', 'code': 'datazone2011', 'name': 'datazone2011_name', 'intzone2011': 'intzone2011',
     'locality_code': 'locality_code', 'hscp2019': 'hscp2019', 'hb2019': 'hb2019',
     'locality_lookup_basis': 'locality_lookup_basis'},
    {'level': 'intzone', 'code': 'intzone2011', 'name': 'intzone2011_name', 'intzone2011': 'intzone2011',
     'locality_code': 'null', 'hscp2019': 'hscp2019', 'hb2019': 'hb2019', 'locality_lookup_basis': 'null'},
    {'level': 'locality', 'code': 'locality_code', 'name': 'locality_name', 'intzone2011': 'null',
     'locality_code': 'locality_code', 'hscp2019': 'hscp2019', 'hb2019': 'hb2019',
     'locality_lookup_basis': 'locality_lookup_basis'},
    {'level': 'hscp', 'code': 'hscp2019', 'name': 'hscp2019_name', 'intzone2011': 'null', 'locality_code': 'null',
     'hscp2019': 'hscp2019', 'hb2019': 'hb2019', 'locality_lookup_basis': 'null'},
    {'level': 'health_board', 'code': 'hb2019', 'name': 'hb2019_name', 'intzone2011': 'null', 'locality_code': 'null',
     'hscp2019': 'null', 'hb2019': 'hb2019', 'locality_lookup_basis': 'null'},
    {'level': 'scotland', 'code': 'country_code', 'name': 'country_name', 'intzone2011': 'null',
     'locality_code': 'null', 'hscp2019': 'null', 'hb2019': 'null', 'locality_lookup_basis': 'null'},
] -%}
{%- for name in names if name not in levels | map(attribute='level') -%}
    {{ exceptions.raise_compiler_error("indicator_levels: unknown geography level '" ~ name ~ "'") }}
{%- endfor -%}
{{ return(levels | selectattr('level', 'in', names) | list) }}
{% endmacro %}

{#- The geography columns of one level of indicator_levels(), for a select grouped by them. -#}
{% macro indicator_level_columns(level) -%}
'{{ level.level }}' as geography_level,
        {{ level.code }} as geography_code,
        {{ level.name }} as geography_name,
        {{ level.intzone2011 }}::varchar as intzone2011,
        {{ level.locality_code }}::varchar as locality_code,
        {{ level.hscp2019 }}::varchar as hscp2019,
        {{ level.hb2019 }}::varchar as hb2019,
        {{ level.locality_lookup_basis }}::varchar as locality_lookup_basis
{%- endmacro %}

{#- SQL order of the levels: Scotland first, data zones last. -#}
{% macro indicator_level_order(column) -%}
case {{ column }}
        {%- for level in indicator_levels(['datazone', 'intzone', 'locality', 'hscp', 'health_board', 'scotland']) | reverse %}
        when '{{ level.level }}' then {{ loop.index }}
        {%- endfor %}
    end
{%- endmacro %}

{#- value and the limit columns of a rate or percentage (the entry's method,
    multiplier and confidence levels) from the columns numerator and denominator;
    null at data zone level, which gets counts only. -#}
{% macro indicator_measures(entry) -%}
case when geography_level != 'datazone'
            then {{ entry.multiplier }} * numerator / nullif(denominator, 0) end as value,
        {% call(ci, side) indicator_ci_columns(entry) -%}
        case when geography_level != 'datazone' then {{ indicator_ci_function(entry) }}_{{ side }}(
            numerator, denominator, {{ entry.multiplier }}, {{ ci.level }}) end
        {%- endcall %}
{%- endmacro %}

{#- The UDF prefix of the limits of the entry's method. -#}
{% macro indicator_ci_function(entry) -%}
{%- set functions = {'crude rate': 'byar', 'percentage': 'wilson'} -%}
{%- if entry.method not in functions -%}
    {{ exceptions.raise_compiler_error(entry.id ~ ": no confidence interval function for method '" ~ entry.method ~ "'") }}
{%- endif -%}
{{ functions[entry.method] }}
{%- endmacro %}

{#- ci95_lower, ci95_upper, ci998_lower, ci998_upper: for each confidence level of
    the entry, the expression the caller block gives for (level, side), null for
    the others. Use: {% call(ci, side) indicator_ci_columns(entry) %}..{{ ci.level }}..{% endcall %} -#}
{% macro indicator_ci_columns(entry) -%}
{%- for suffix in ['95', '998'] -%}
{%- set ci = entry.confidence_levels | selectattr('suffix', 'equalto', suffix) | first -%}
{%- set outer = loop -%}
{%- for side in ['lower', 'upper'] %}
        {% if ci %}{{ caller(ci, side) }}{% else %}null::double{% endif %} as ci{{ suffix }}_{{ side }}
        {{- ',' if not (outer.last and loop.last) }}
{%- endfor -%}
{%- endfor -%}
{%- endmacro %}

{#-
  The end of every mart: after a CTE `measured` with period_key, age_group, the
  columns of indicator_level_columns, simd_quintile, numerator, denominator, value
  and the four ci columns, the CTE `scotland` and the output select: the columns
  of every mart, the Scotland value of the same period, age group and quintile,
  the comparison with it at 95% (when the entry has limits), in a total order on
  the unique key so that two builds write identical files.

    benchmark       false: no Scotland value or comparison (counts of beds).
    quality_marker  SQL over `measured`; default 'z' (not applicable) where there
                    is no value (data zones, no population). Disclosure control
                    ([c]) is applied when the release is published.
    source_vintage  SQL for the vintage label; default: the vintage of the entry's
                    one source input, or 'name:vintage;...' of several (inputs_vintage()).
    is_synthetic    SQL boolean; default: is any of the entry's source inputs synthetic.
-#}
{% macro indicator_rows(entry, benchmark=true, quality_marker=none, source_vintage=none, is_synthetic=none) %}
{%- set compared = entry.confidence_levels | selectattr('suffix', 'equalto', '95') | list | length > 0 -%}
scotland as (
    select period_key, age_group, simd_quintile, value as scotland_value
    from measured
    where geography_level = 'scotland'
)

select
    '{{ entry.id }}' as indicator_id,
    {{ indicator_period_label('measured.period_key', entry.period_type) }} as period,
    '{{ entry.period_type }}' as period_type,
    {{ indicator_period_start('measured.period_key', entry.period_type) }} as period_start,
    measured.geography_level,
    measured.geography_code,
    measured.geography_name,
    measured.intzone2011,
    measured.locality_code,
    measured.hscp2019,
    measured.hb2019,
    measured.simd_quintile,
    '{{ entry.sex }}' as sex,
    measured.age_group,
    measured.numerator,
    measured.denominator,
    measured.value,
    measured.ci95_lower,
    measured.ci95_upper,
    measured.ci998_lower,
    measured.ci998_upper,
    '{{ entry.method }}' as method,
    {{ entry.multiplier }} as multiplier,
    {{ 'scotland.scotland_value' if benchmark else 'null::double' }} as scotland_value,
    case when measured.geography_level = 'scotland' then 'benchmark'
        {%- if compared and benchmark %}
        when measured.value is not null
            then compare_with_benchmark(measured.ci95_lower, measured.ci95_upper, scotland.scotland_value)
        {%- endif %}
    end as compared_with_scotland_95,
    {{ quality_marker or "case when measured.value is null then 'z' end" }} as quality_marker,
    measured.locality_lookup_basis,
    ({{ is_synthetic or inputs_synthetic(entry.source_inputs) }})::boolean as is_synthetic,
    {{ source_vintage or inputs_vintage(entry.source_inputs) }} as source_vintage
from measured
left join scotland
    on measured.period_key = scotland.period_key
    and measured.age_group = scotland.age_group
    and measured.simd_quintile = scotland.simd_quintile
order by
    measured.period_key,
    measured.age_group,
    {{ indicator_level_order('measured.geography_level') }},
    measured.simd_quintile != 'all',
    measured.simd_quintile,
    measured.geography_code
{% endmacro %}


{#- Label, first day and the day after the last day of a period, from the period
    column of indicator_mart. -#}
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
