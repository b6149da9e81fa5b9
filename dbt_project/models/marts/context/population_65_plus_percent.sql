-- Percentage of the population aged 65 and over (age group '65+') and 75 and over
-- ('75+'), by financial year (mid-year estimate of the year it starts in), for
-- every area level of crude_rate_by_area. No interval: the estimates cover the
-- whole population, not a sample (as in the PHS LIST locality profiles and
-- ScotPHO population indicators, which publish none).
-- The reference data are not synthetic and have their own vintages, which the
-- macro does not take yet (it uses the SMR01 ones), hence the replace.
{% set inputs = ['hscp_population_estimates', 'datazone_population_2021'] %}
{{ config(location=var('marts_dir') ~ '/population_65_plus_percent.parquet') }}

select * replace (
    {{ reference_is_synthetic(inputs) }} as is_synthetic,
    {{ reference_vintage(inputs) }} as source_vintage
)
from (
    {{ crude_rate_by_area(
        ref('int_population_age_share_by_datazone'),
        indicator_id='population_65_plus_percent',
        numerator='population_in_age_group',
        denominator='population',
        multiplier=100,
        method='percentage',
        with_ci=false,
    ) }}
)
