-- The 75+ rows of int_delayed_discharge_bed_days_by_datazone: the counts of the
-- delayed_discharge_bed_days_75_plus_per_1000 marts, whose macro publishes every
-- age group of its input.
{{ config(materialized='view') }}

select *
from {{ ref('int_delayed_discharge_bed_days_by_datazone') }}
where age_group = '75+'
