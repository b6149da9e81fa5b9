-- NI-15: percentage of the last six months of life spent at home or in a community
-- setting, by financial year of death, for All ages, 65+ and 75+
-- (catalogue/ni15_last_six_months_at_home_percent.yml). Numerator: days outside
-- hospital in the 183 days before death; denominator: 183 days per death. The
-- days of one person are not independent trials, so the catalogue gives no
-- confidence levels; source_vintage names both inputs, SMR01 and deaths.
{{ indicator_mart('ni15_last_six_months_at_home_percent', ref('int_last_six_months_of_life_by_datazone'),
    numerator='community_days', denominator='last_six_months_days') }}
