{#-
  source_vintage and is_synthetic of a mart built from reference inputs only:
  'name:<vintage>;name:<vintage>' from the dbt vars <name>_vintage, and true when
  any of them is synthetic (vars <name>_is_synthetic; see build_variables).
-#}
{% macro reference_vintage(inputs) -%}
'{% for name in inputs %}{{ name }}:{{ var(name ~ "_vintage") }}{{ ";" if not loop.last }}{% endfor %}'
{%- endmacro %}

{% macro reference_is_synthetic(inputs) -%}
{%- set ns = namespace(synthetic=false) -%}
{%- for name in inputs %}{% if var(name ~ '_is_synthetic') %}{% set ns.synthetic = true %}{% endif %}{% endfor -%}
{{ 'true' if ns.synthetic else 'false' }}
{%- endmacro %}
