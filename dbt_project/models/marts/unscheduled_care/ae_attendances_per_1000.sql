-- A&E attendances (new and unplanned returns at EDs and MIUs) per 1,000 population
-- by financial year of arrival and area of residence, by age group, with
-- confidence intervals and a comparison with Scotland (macro crude_rate_by_area).
{{ config(location=var('marts_dir') ~ '/ae_attendances_per_1000.parquet') }}

{{ crude_rate_by_area(
    ref('int_ae_attendances_by_datazone'),
    indicator_id='ae_attendances_per_1000',
    numerator='attendances',
    denominator='population',
    multiplier=1000,
    source_vintage=var('ae_attendances_vintage'),
    is_synthetic=var('ae_attendances_is_synthetic'),
) }}
