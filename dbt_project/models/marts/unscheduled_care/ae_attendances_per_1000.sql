-- A&E attendances (new and unplanned returns at EDs and MIUs) per 1,000 population
-- by financial year of arrival and area of residence, by age group, with
-- confidence intervals and a comparison with Scotland (macro indicator_mart).
{{ indicator_mart('ae_attendances_per_1000', ref('int_ae_attendances_by_datazone'),
    numerator='attendances', denominator='population') }}
