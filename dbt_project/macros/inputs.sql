{#-
  What the build knows of each pipeline input (transforms.build.build_variables):
  its vintage, whether it is synthetic, whether the run has it. Names are those of
  transforms.inputs (smr01_episodes, deaths, hscp_population_estimates, ...).
-#}
{% macro input_vintage(name) -%}
{{ return(var(('smr01' if name == 'smr01_episodes' else name) ~ '_vintage')) }}
{%- endmacro %}

{% macro input_is_synthetic(name) -%}
{{ return(var(('smr01' if name == 'smr01_episodes' else name) ~ '_is_synthetic')) }}
{%- endmacro %}

{% macro input_supplied(name) -%}
{{ return(var('has_' ~ name)) }}
{%- endmacro %}

{#- source_vintage of a mart built from `inputs` (SQL string literal): the vintage of
    its one input, or 'name:<vintage>;name:<vintage>' of several. -#}
{% macro inputs_vintage(inputs) -%}
{%- if inputs | length == 1 -%}
'{{ input_vintage(inputs[0]) }}'
{%- else -%}
'{% for name in inputs %}{{ name }}:{{ input_vintage(name) }}{{ ";" if not loop.last }}{% endfor %}'
{%- endif -%}
{%- endmacro %}

{#- is_synthetic of a mart built from `inputs` (SQL boolean): true when any of them is. -#}
{% macro inputs_synthetic(inputs) -%}
{%- set ns = namespace(synthetic=false) -%}
{%- for name in inputs %}{% if input_is_synthetic(name) %}{% set ns.synthetic = true %}{% endif %}{% endfor -%}
{{ 'true' if ns.synthetic else 'false' }}
{%- endmacro %}
