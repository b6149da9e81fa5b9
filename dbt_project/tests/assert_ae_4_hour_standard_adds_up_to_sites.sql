{{ config(enabled=input_supplied('public_ae_monthly')) }}
-- Each board and Scotland in ae_4_hour_standard_by_board equal the sum of their
-- sites in the published file, for every financial year the mart holds.
with sites as (
    select
        financial_year,
        hb2019,
        within_4_hours,
        attendances
    from {{ ref('stg_public__ae_monthly') }}
),

expected as (
    select
        financial_year,
        'health_board' as geography_level,
        hb2019 as geography_code,
        sum(within_4_hours) as numerator,
        sum(attendances) as denominator
    from sites
    group by all
    union all
    select
        financial_year,
        'scotland',
        'S92000003',
        sum(within_4_hours),
        sum(attendances)
    from sites
    group by all
),

mart as (
    select
        period_start,
        geography_level,
        geography_code,
        numerator,
        denominator,
        extract(year from period_start)::integer as financial_year
    from {{ ref('ae_4_hour_standard_by_board') }}
)

select
    mart.*,
    expected.numerator as expected_numerator,
    expected.denominator as expected_denominator
from mart
left join expected using (financial_year, geography_level, geography_code)
where mart.numerator is distinct from expected.numerator
    or mart.denominator is distinct from expected.denominator
    or mart.geography_level = 'scotland' and mart.numerator is distinct from (
        select sum(b.numerator) from mart as b
        where b.financial_year = mart.financial_year and b.geography_level = 'health_board'
    )
