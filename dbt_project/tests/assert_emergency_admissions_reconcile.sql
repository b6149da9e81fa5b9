-- Localities add to their HSCP, HSCPs to their board, boards to Scotland,
-- for numerator and denominator alike. Any row returned is a failure.
with mart as (
    select * from {{ ref('emergency_admissions_per_1000') }}
),

children as (
    select period, age_group, 'hscp' as parent_level, hscp2019 as parent_code,
        sum(numerator) as numerator, sum(denominator) as denominator
    from mart where geography_level = 'locality' group by all
    union all
    select period, age_group, 'health_board', hb2019, sum(numerator), sum(denominator)
    from mart where geography_level = 'hscp' group by all
    union all
    select period, age_group, 'scotland', 'S92000003', sum(numerator), sum(denominator)
    from mart where geography_level = 'health_board' group by all
)

select children.*, parent.numerator as parent_numerator, parent.denominator as parent_denominator
from children
full outer join mart as parent
    on parent.geography_level = children.parent_level
    and parent.geography_code = children.parent_code
    and parent.period = children.period
    and parent.age_group = children.age_group
where (parent.geography_level is null or parent.geography_level != 'locality')
    and (children.numerator is distinct from parent.numerator
        or children.denominator is distinct from parent.denominator)
