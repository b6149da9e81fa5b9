-- Percentage of the population living in data zones of each SIMD 2020v2 national
-- quintile, one row per quintile ('1' most deprived .. '5'), the five adding to
-- 100 for every area and year: the SIMD breakdown of the PHS LIST locality
-- profiles. Its own model because the share's denominator is the whole area, not
-- the quintile's residents, so the macro's own SIMD rows (rates among the people of
-- quintile q) do not give it: one macro call per quintile, labelled with the
-- quintile counted. No interval (whole population); no data-zone level (0 or 100).
select *
from (
    {% for q in range(1, 6) %}
        select * replace ('{{ q }}' as simd_quintile)
        from (
    {{ indicator_mart('simd_quintile_population_percent', ref('int_population_simd_by_datazone'),
        numerator='population_quintile_' ~ q, denominator='population', simd_levels=[]) }}
        )
        {% if not loop.last %}union all{% endif %}
    {% endfor %}
)
order by period, {{ indicator_level_order('geography_level') }}, geography_code, simd_quintile
