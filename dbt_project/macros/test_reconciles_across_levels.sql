{#-
  Generic test for an indicator mart (macro indicator_mart): every level adds
  up, in every period, sex and age group, for each column in `columns`.

  - Along each edge (child level, parent level, the child's column holding the
    parent code): the children of a parent add to the parent. Defaults: data
    zones to intermediate zones and to localities; both to HSCPs; HSCPs to boards;
    boards to Scotland. Intermediate zones and localities are separate paths
    because intermediate zones need not nest in localities. Rows are matched on
    simd_quintile too, for the quintiles the child level has (so SIMD rows of
    HSCPs add to those of their board, and those to Scotland's).
  - Within each area of a level that has SIMD rows, the quintile rows add to
    the 'all' row.

  `edges` replaces the default edges (e.g. for a mart without data zone rows);
  `quintiles_add_up=false` skips the second check, for a mart whose simd_quintile
  labels something other than a breakdown of the 'all' row.

  Any row returned is a failure; `check` names the rule broken.
-#}
{% test reconciles_across_levels(model, columns=['numerator', 'denominator'], edges=none, quintiles_add_up=true) %}
{%- set edges = edges or [
    ['datazone', 'intzone', 'intzone2011'],
    ['datazone', 'locality', 'locality_code'],
    ['intzone', 'hscp', 'hscp2019'],
    ['locality', 'hscp', 'hscp2019'],
    ['hscp', 'health_board', 'hb2019'],
    ['health_board', 'scotland', "'S92000003'"],
] -%}
{%- set keys = 'period, sex, age_group, simd_quintile, parent_code' -%}
with mart as (
    select * from {{ model }}
),

{% for child, parent, parent_code in edges %}
edge_{{ loop.index }} as (
    with children as (
        select
            period, sex, age_group, simd_quintile, {{ parent_code }} as parent_code,
            {% for c in columns %}sum({{ c }}) as {{ c }}{{ ',' if not loop.last }}{% endfor %}
        from mart
        where geography_level = '{{ child }}'
        group by all
    ),

    parents as (
        select
            period, sex, age_group, simd_quintile, geography_code as parent_code,
            {{ columns | join(', ') }}
        from mart
        where geography_level = '{{ parent }}'
            -- 'all' always, so that a missing child level fails the test
            and (simd_quintile = 'all'
                or simd_quintile in (select simd_quintile from mart where geography_level = '{{ child }}'))
    )

    select
        '{{ child }} adds to {{ parent }}' as "check", {{ keys }},
        {% for c in columns %}children.{{ c }} as child_{{ c }}, parents.{{ c }} as parent_{{ c }}{{ ',' if not loop.last }}{% endfor %}
    from children
    full outer join parents using ({{ keys }})
    where {% for c in columns %}children.{{ c }} is distinct from parents.{{ c }}{{ ' or ' if not loop.last }}{% endfor %}
),

{% endfor %}
simd as (
    with quintiles as (
        select
            geography_level, period, sex, age_group, geography_code as parent_code,
            {% for c in columns %}sum({{ c }}) as {{ c }}{{ ',' if not loop.last }}{% endfor %}
        from mart
        where simd_quintile != 'all'
        group by all
    ),

    totals as (
        select
            geography_level, period, sex, age_group, geography_code as parent_code,
            {{ columns | join(', ') }}
        from mart
        where simd_quintile = 'all'
            and geography_level in (select geography_level from mart where simd_quintile != 'all')
    )

    select
        'quintiles add to all in ' || geography_level as "check", period, sex, age_group,
        'all' as simd_quintile, parent_code,
        {% for c in columns %}quintiles.{{ c }} as child_{{ c }}, totals.{{ c }} as parent_{{ c }}{{ ',' if not loop.last }}{% endfor %}
    from quintiles
    full outer join totals using (geography_level, period, sex, age_group, parent_code)
    where {% for c in columns %}quintiles.{{ c }} is distinct from totals.{{ c }}{{ ' or ' if not loop.last }}{% endfor %}
)

{% for child, parent, parent_code in edges %}
select * from edge_{{ loop.index }}
union all
{% endfor %}
select * from simd
{% if not quintiles_add_up %}where false{% endif %}
{% endtest %}
