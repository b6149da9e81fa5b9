{#-
  Generic test for an indicator mart: every value of the column is one that the
  mart's catalogue entry allows (the mart is named after its indicator id):
  indicator_id its id, geography_level its geography_levels, age_group its
  age_groups, sex its sex. As accepted_values, with the values read from
  catalogue/<id>.yml (macros/catalogue.sql) instead of restated; nulls are left to
  not_null.
-#}
{% test in_catalogue_entry(model, column_name) %}
{#- While parsing, `model` is not the mart yet: nothing to look up. -#}
{%- set entry = catalogue_entry(model.identifier) if execute else {'id': '', 'geography_levels': [],
    'age_groups': [], 'sex': ''} -%}
{%- set allowed = {'indicator_id': [entry.id], 'geography_level': entry.geography_levels,
                   'age_group': entry.age_groups, 'sex': [entry.sex]} -%}
{%- if column_name not in allowed -%}
    {{ exceptions.raise_compiler_error("in_catalogue_entry: no catalogue field for column '" ~ column_name ~ "'") }}
{%- endif -%}
select {{ column_name }} as value_field, count(*) as n_records
from {{ model }}
where {{ column_name }} not in ({% for v in allowed[column_name] %}'{{ v }}'{{ ', ' if not loop.last }}{% else %}null{% endfor %})
group by {{ column_name }}
{% endtest %}
