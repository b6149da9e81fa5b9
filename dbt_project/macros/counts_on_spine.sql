{#-
  The count models' last step: every row of a spine (data zone x year x age group,
  or x ESP2013 band) with the counts of the CTEs in `counts` joined on, zero where a
  CTE has no row (record-level data, so absence means none), and the spine's own
  columns after them.

    spine          relation or CTE name with the key columns and `spine_columns`
    counts         {cte name: [count columns]}, joined in this order
    spine_columns  columns of the spine kept after the counts (e.g. population)
    keys           the join key, the first columns of the result
    where          optional condition on the spine's rows
-#}
{% macro counts_on_spine(spine, counts, spine_columns=['population'],
    keys=['financial_year', 'datazone2011', 'age_group'], where=none) -%}
    {%- set selected = [] -%}
    {%- for key in keys %}{% do selected.append('spine.' ~ key) %}{% endfor -%}
    {%- for cte, columns in counts.items() -%}
        {%- for column in columns %}{% do selected.append('coalesce(' ~ cte ~ '.' ~ column ~ ', 0) as ' ~ column) %}{% endfor -%}
    {%- endfor -%}
    {%- for column in spine_columns %}{% do selected.append('spine.' ~ column) %}{% endfor -%}
select
    {{ selected | join(',\n    ') }}
from {{ spine }} as spine
{%- for cte in counts %}
left join {{ cte }}
    on
    {%- for key in keys %}
        {{ 'and ' if not loop.first }}spine.{{ key }} = {{ cte }}.{{ key }}
    {%- endfor %}
{%- endfor %}
{%- if where is not none %}
where {{ where }}
{%- endif %}
{%- endmacro %}
