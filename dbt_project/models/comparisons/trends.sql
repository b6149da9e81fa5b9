{#-
  The trend of each area's last five periods with a published value (at least
  three): a Poisson regression of the counts on the period with the log denominator
  as offset for a crude rate, a logistic (binomial) one for a percentage
  (poisson_trend, binomial_trend: transforms.stats.trends). The direction is
  read from the quasi-likelihood p-value, which allows for more variation between
  years than chance alone (docs/methods/statistics.md, Trends).

  Localities are small: their series is of rolling three-year periods (numerators and
  denominators summed, rolling_period_sums), a window counted only when all three of
  its years are published (a sum over a suppressed year would reveal it). HSCPs and
  boards use single years. Indicators without confidence limits (bed days, which are
  not independent events; population context) and other methods are not tested.
-#}
{%- set series_columns = ['indicator_id', 'geography_level', 'geography_code', 'geography_name', 'hscp2019',
    'hb2019', 'sex', 'age_group', 'method', 'polarity', 'is_synthetic'] %}
with tested as (
    select
        *,
        extract(year from period_start)::integer as start_year,
        case when numerator is not null and denominator > 0 then 1 else 0 end as published
    from {{ ref('cmp_indicator_values') }}
    where has_limits
        and method in ('crude rate', 'percentage')
        and period_type = 'financial year'
),

single_years as (
    select
        {{ series_columns | join(',\n        ') }},
        'financial year' as series_period_type,
        start_year as first_year,
        start_year as last_year,
        numerator,
        denominator
    from tested
    where geography_level in ('hscp', 'health_board')
        and published = 1
),

rolled as (
    {{ rolling_period_sums(
        "(select * from tested where geography_level = 'locality')",
        'start_year',
        ['numerator', 'denominator', 'published'],
        series_columns,
    ) }}
),

rolling_years as (
    select
        {{ series_columns | join(',\n        ') }},
        'rolling 3 financial years' as series_period_type,
        first_year,
        last_year,
        numerator,
        denominator
    from rolled
    where published = n_years
),

series_periods as (
    select
        *,
        row_number() over (
            partition by indicator_id, geography_level, geography_code, sex, age_group order by last_year desc
        ) as periods_back
    from (
        select * from single_years
        union all
        select * from rolling_years
    ) as periods
),

series as (
    select
        indicator_id,
        geography_level,
        geography_code,
        geography_name,
        hscp2019,
        hb2019,
        sex,
        age_group,
        method,
        polarity,
        bool_or(is_synthetic) as is_synthetic,
        series_period_type,
        min(first_year) as first_year,
        max(last_year) as last_year,
        arg_max(first_year, last_year) as last_first_year,
        list(numerator order by last_year) as numerators,
        list(denominator order by last_year) as denominators,
        list(last_year::double order by last_year) as times
    from series_periods
    where periods_back <= 5
    group by all
),

fitted as (
    select
        *,
        poisson_trend(numerators, denominators, times) as trend
    from series
    where method = 'crude rate'
    union all
    select
        *,
        binomial_trend(numerators, denominators, times) as trend
    from series
    where method = 'percentage'
)

select
    indicator_id,
    case when series_period_type = 'financial year' then {{ financial_year_label('last_year') }}
        else {{ financial_year_label('last_first_year') }} || ' to ' || {{ financial_year_label('last_year') }}
    end as period,
    series_period_type as period_type,
    {{ financial_year_label('first_year') }} as first_period,
    geography_level,
    geography_code,
    geography_name,
    hscp2019,
    hb2019,
    'all' as simd_quintile,
    sex,
    age_group,
    method,
    polarity,
    trend.n_periods,
    trend.slope,
    trend.ratio as ratio_per_year,
    trend.ratio_lower as ratio_per_year_lower_95,
    trend.ratio_upper as ratio_per_year_upper_95,
    trend.p_value,
    trend.p_value_quasi,
    trend.dispersion,
    trend_direction(trend.slope, trend.p_value_quasi, polarity) as direction,
    trend.reason,
    is_synthetic
from fitted
order by indicator_id, geography_level, geography_code, sex, age_group
