-- Percentage of A&E attendances (new and unplanned returns at EDs and MIUs) that
-- left A&E within 4 hours of arrival, by financial year of arrival and area of
-- residence, by age group (macro indicator_mart).
{{ indicator_mart('ae_seen_within_4_hours_percent', ref('int_ae_attendances_by_datazone'),
    numerator='within_4_hours', denominator='attendances') }}
