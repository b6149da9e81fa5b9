{#- The rows of `relation` (a CTE with method, multiplier and the given denominator and
    benchmark columns) with the funnel control limits at 95% and 99.8% as the structs
    limits_95 and limits_998 (lower, upper): exact Poisson limits for a crude rate,
    binomial ones for a percentage (funnel_rate_limits, funnel_proportion_limits;
    docs/methods/comparisons.md). Other methods get no row. -#}
{% macro funnel_limited(relation, denominator, benchmark) %}
    {%- for method, call in [
        ('crude rate', "funnel_rate_limits({d}, {b}, multiplier, {c}, 'exact')"),
        ('percentage', 'funnel_proportion_limits({d}, {b}, multiplier, {c})'),
    ] %}
    select
        *,
        {{ call.format(d=denominator, b=benchmark, c=0.95) }} as limits_95,
        {{ call.format(d=denominator, b=benchmark, c=0.998) }} as limits_998
    from {{ relation }}
    where method = '{{ method }}'
    {% if not loop.last %}union all{% endif %}
    {%- endfor %}
{% endmacro %}
