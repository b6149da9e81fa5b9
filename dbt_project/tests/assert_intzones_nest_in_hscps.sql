-- Every intermediate zone lies wholly in one HSCP (and so one board), with one
-- name. The indicator marts add intermediate zones up to HSCPs and rely on it.
-- Any row returned is a failure.
select
    intzone2011,
    count(distinct hscp2019) as hscps,
    count(distinct intzone2011_name) as names
from {{ ref('int_geography_datazone_hierarchy') }}
group by intzone2011
having count(distinct hscp2019) > 1 or count(distinct intzone2011_name) > 1
