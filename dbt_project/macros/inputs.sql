{#-
  The build's dbt vars (transforms.build.build_variables), read only through these
  macros:
    period        {first_financial_year, last_financial_year}: the configured years.
    is_synthetic  true when any input of the run is synthetic.
    inputs        {<input name>: {vintage, is_synthetic, supplied}} for every input
                  (names of transforms.inputs: smr01_episodes, deaths,
                  hscp_population_estimates, public_ae_monthly, ...).
  For a hand `dbt parse` (vars: inputs {}), an input is not supplied, its vintage
  'unknown' and its synthetic flag the run's.
-#}
{% macro first_financial_year() -%}
{{ return(var('period')['first_financial_year']) }}
{%- endmacro %}

{% macro last_financial_year() -%}
{{ return(var('period')['last_financial_year']) }}
{%- endmacro %}

{% macro input_vintage(name) -%}
{{ return(var('inputs').get(name, {}).get('vintage', 'unknown')) }}
{%- endmacro %}

{% macro input_is_synthetic(name) -%}
{{ return(var('inputs').get(name, {}).get('is_synthetic', var('is_synthetic'))) }}
{%- endmacro %}

{% macro input_supplied(name) -%}
{{ return(var('inputs').get(name, {}).get('supplied', false)) }}
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
