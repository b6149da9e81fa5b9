{#-
  Rolling periods of consecutive years, computed as sums over the period: the
  numerator and denominator columns are summed over the years of each period (for a
  DSR, per age band), and the rate and its interval are then computed from the sums
  exactly as for one year (never by averaging annual rates). The same rule as
  transforms.stats.periods.rolling_period_sums, which the unit test
  tests/unit/udfs/test_udfs_periods.py checks this macro against.

  `relation` has one or more rows per group and year; `year_column` holds whole years
  (e.g. the starting year of a financial year). A period ending in year y covers
  y - n_years + 1 .. y and exists only when every one of those years occurs in the
  relation; a group without rows in one of the years contributes zero for it (as
  left-joining counts onto populations gives). NULLs in the summed columns count as
  zero. Gives a select statement (use it as a CTE body) with the group columns,
  first_year, last_year, n_years and the sums as DOUBLE.

  Example: rolled as ({{ rolling_three_years(ref('int_x'), 'financial_year',
  ['numerator', 'denominator'], ['hscp2019', 'age_group']) }})
-#}
{% macro rolling_period_sums(relation, year_column, sum_columns, group_columns=[], n_years=3) %}
with rolling_source as (
    select * from {{ relation }}
),

rolling_years as (
    select distinct {{ year_column }}::integer as year from rolling_source
),

rolling_windows as (
    select
        ends.year - {{ n_years - 1 }} as first_year,
        ends.year as last_year
    from rolling_years as ends
    where (
        select count(*) from rolling_years as covered
        where covered.year between ends.year - {{ n_years - 1 }} and ends.year
    ) = {{ n_years }}
)

select
    {%- for column in group_columns %}
    rolling_source.{{ column }},
    {%- endfor %}
    rolling_windows.first_year,
    rolling_windows.last_year,
    {{ n_years }} as n_years,
    {%- for column in sum_columns %}
    coalesce(sum(rolling_source.{{ column }}), 0)::double as {{ column }}{{ ',' if not loop.last }}
    {%- endfor %}
from rolling_source
inner join rolling_windows
    on rolling_source.{{ year_column }} between rolling_windows.first_year and rolling_windows.last_year
group by
    {%- for column in group_columns %}
    rolling_source.{{ column }},
    {%- endfor %}
    rolling_windows.first_year,
    rolling_windows.last_year
{% endmacro %}

{#- Three consecutive years: the catalogue's period type 'rolling 3 financial years'. -#}
{% macro rolling_three_years(relation, year_column, sum_columns, group_columns=[]) %}
{{ rolling_period_sums(relation, year_column, sum_columns, group_columns, 3) }}
{% endmacro %}
