{#-
  Generic test for an indicator mart: localities add to their HSCP, HSCPs to their
  board, boards to Scotland, in every period and age group, for each column in
  `columns`. Any row returned is a failure.
-#}
{% test reconciles_across_levels(model, columns=['numerator', 'denominator']) %}
with mart as (
    select * from {{ model }}
),

children as (
    {% for child, parent_level, parent_code in [
        ('locality', "'hscp'", 'hscp2019'),
        ('hscp', "'health_board'", 'hb2019'),
        ('health_board', "'scotland'", "'S92000003'"),
    ] %}
    select
        period, age_group, {{ parent_level }} as parent_level, {{ parent_code }} as parent_code,
        {% for c in columns %}sum({{ c }}) as {{ c }}{{ ',' if not loop.last }}{% endfor %}
    from mart
    where geography_level = '{{ child }}'
    group by all
    {% if not loop.last %}union all{% endif %}
    {% endfor %}
)

select children.*, parent.geography_code as parent_found
from children
full outer join mart as parent
    on parent.geography_level = children.parent_level
    and parent.geography_code = children.parent_code
    and parent.period = children.period
    and parent.age_group = children.age_group
where (parent.geography_level is null or parent.geography_level != 'locality')
    and ({% for c in columns %}children.{{ c }} is distinct from parent.{{ c }}{{ ' or ' if not loop.last }}{% endfor %})
{% endtest %}
