{#-
  A crude-rate indicator by financial year for every geography level: kept for
  callers written before indicator_by_area, which it calls (see that macro).
-#}
{% macro crude_rate_by_area(counts, indicator_id, numerator, denominator, multiplier, method='crude rate', with_ci=true,
    source_vintage=none, is_synthetic=none) %}
{{ indicator_by_area(counts, indicator_id, numerator, denominator, multiplier, method=method, with_ci=with_ci,
    source_vintage=source_vintage, is_synthetic=is_synthetic) }}
{% endmacro %}
