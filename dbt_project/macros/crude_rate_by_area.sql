{#-
  A crude-rate indicator by financial year for every geography level: kept for
  callers written before indicator_by_area, which it calls (see that macro).
-#}
{% macro crude_rate_by_area(counts, indicator_id, numerator, denominator, multiplier, method='crude rate', with_ci=true) %}
{{ indicator_by_area(counts, indicator_id, numerator, denominator, multiplier, method=method, with_ci=with_ci) }}
{% endmacro %}
