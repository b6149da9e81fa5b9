-- Emergency readmissions within 28 days of discharge per 1,000 discharges (Core
-- Suite Integration Indicator NI-14 style) by financial year of discharge, for
-- every area level, by age group at the index admission. A proportion of
-- discharges (catalogue method 'percentage', per 1,000); source_vintage names
-- both inputs, SMR01 and deaths. Counting rules and the period edge:
-- int_readmission_index_stays.
{{ indicator_mart('emergency_readmissions_28_days', ref('int_emergency_readmissions_by_datazone'),
    numerator='readmissions', denominator='discharges') }}
