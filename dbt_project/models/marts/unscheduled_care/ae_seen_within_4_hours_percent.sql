-- Percentage of A&E attendances (new and unplanned returns at EDs and MIUs) that
-- left A&E within 4 hours of arrival, by financial year of arrival and area of
-- residence, by age group (macro crude_rate_by_area, method 'percentage').
{{ config(location=var('marts_dir') ~ '/ae_seen_within_4_hours_percent.parquet') }}

{{ crude_rate_by_area(
    ref('int_ae_attendances_by_datazone'),
    indicator_id='ae_seen_within_4_hours_percent',
    numerator='within_4_hours',
    denominator='attendances',
    multiplier=100,
    method='percentage',
    source_vintage=var('ae_attendances_vintage'),
    is_synthetic=var('ae_attendances_is_synthetic'),
) }}
