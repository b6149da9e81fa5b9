-- Emergency admissions per 1,000 population by financial year, for data zones
-- (counts only), intermediate zones, localities, HSCPs, health boards and
-- Scotland, by age group and (HSCPs, boards, Scotland) SIMD quintile, with 95% and
-- 99.8% confidence intervals and a comparison with Scotland (macro indicator_mart).
{{ indicator_mart('emergency_admissions_per_1000', ref('int_emergency_admissions_by_datazone'),
    numerator='emergency_admissions', denominator='population') }}
