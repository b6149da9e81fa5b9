{#- The financial year (April to March) a date falls in, as its starting calendar year. -#}
{% macro financial_year_start(date_column) -%}
    (extract(year from {{ date_column }}) - case when extract(month from {{ date_column }}) < 4 then 1 else 0 end)::integer
{%- endmacro %}

{#- '2022/23' from 2022. -#}
{% macro financial_year_label(start_year_column) -%}
    ({{ start_year_column }}::varchar || '/' || lpad(((({{ start_year_column }}) + 1) % 100)::varchar, 2, '0'))
{%- endmacro %}
