-- Average number of beds occupied by stays that began with an emergency
-- admission: the year's emergency bed days divided by the days in the financial
-- year (stays attributed to their year of admission). A count of beds, so no
-- Scotland value to compare with (areas differ in size).
{{ indicator_mart('average_occupied_beds_emergency', ref('int_emergency_admissions_by_datazone'),
    numerator='emergency_bed_days', denominator='days in period',
    benchmark=false) }}
