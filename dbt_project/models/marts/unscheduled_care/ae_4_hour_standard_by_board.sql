-- Percentage of A&E attendances seen within 4 hours by NHS board of TREATMENT and
-- Scotland, by financial year, from PHS's published monthly A&E activity by site
-- (new and unplanned return attendances at EDs and MIUs; the board is the site's
-- HBT). Not residence-based, so not built by crude_rate_by_area; same long columns.
-- Only financial years in the configured period with all 12 months published.
{{ config(enabled=var('has_public_ae_monthly'),
          location=var('marts_dir') ~ '/ae_4_hour_standard_by_board.parquet') }}

with sites as (
    select *
    from {{ ref('stg_public__ae_monthly') }}
    where financial_year between {{ var('first_financial_year') }} and {{ var('last_financial_year') }}
        and financial_year in (
            select financial_year from {{ ref('stg_public__ae_monthly') }}
            group by financial_year having count(distinct month_start) = 12
        )
),

boards as (
    select distinct hb2019, hb2019_name from {{ ref('stg_reference__geography_dz2011') }}
),

by_area as (
    select financial_year, 'health_board' as geography_level, sites.hb2019 as geography_code,
        boards.hb2019_name as geography_name, sites.hb2019,
        sum(within_4_hours)::bigint as numerator, sum(attendances)::bigint as denominator
    from sites
    left join boards using (hb2019)
    group by all
    union all
    select financial_year, 'scotland', 'S92000003', 'Scotland', null,
        sum(within_4_hours)::bigint, sum(attendances)::bigint
    from sites
    group by all
),

rates as (
    select
        *,
        100 * numerator / nullif(denominator, 0) as value,
        wilson_lower(numerator, denominator, 100, 0.95) as ci95_lower,
        wilson_upper(numerator, denominator, 100, 0.95) as ci95_upper,
        wilson_lower(numerator, denominator, 100, 0.998) as ci998_lower,
        wilson_upper(numerator, denominator, 100, 0.998) as ci998_upper,
        max(case when geography_level = 'scotland' then 100 * numerator / nullif(denominator, 0) end)
            over (partition by financial_year) as scotland_value
    from by_area
)

select
    'ae_4_hour_standard_by_board' as indicator_id,
    {{ financial_year_label('financial_year') }} as period,
    'financial year' as period_type,
    make_date(financial_year, 4, 1) as period_start,
    geography_level,
    geography_code,
    geography_name,
    null::varchar as hscp2019,
    hb2019::varchar as hb2019,
    'all' as simd_quintile,
    'Persons' as sex,
    'All ages' as age_group,
    numerator,
    denominator,
    value,
    ci95_lower,
    ci95_upper,
    ci998_lower,
    ci998_upper,
    'percentage' as method,
    100 as multiplier,
    scotland_value,
    case when geography_level = 'scotland' then 'benchmark'
        else compare_with_benchmark(ci95_lower, ci95_upper, scotland_value) end as compared_with_scotland_95,
    null::varchar as quality_marker,
    null::varchar as locality_lookup_basis,
    false as is_synthetic,
    '{{ var("public_ae_monthly_vintage") }}' as source_vintage
from rates
order by financial_year, geography_level desc, geography_code
