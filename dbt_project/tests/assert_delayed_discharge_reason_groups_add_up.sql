-- The three reason-group indicators of delayed discharge bed days add up to the
-- all-reasons indicator, in every period, area and age group, for 65+ and 75+, and
-- share its denominator. Any row returned is a failure.
{% for age in ['65', '75'] %}
    {% set base = 'delayed_discharge_bed_days_' ~ age ~ '_plus_per_1000' %}
    select
        '{{ age }}+' as ages,
        total.period,
        total.geography_level,
        total.geography_code,
        total.numerator as all_reasons,
        hsc.numerator + pf.numerator + c9.numerator as sum_of_groups
    from {{ ref(base) }} as total
    full outer join {{ ref(base ~ '_health_and_social_care') }} as hsc
        using (period, geography_level, geography_code, age_group, simd_quintile, sex)
    full outer join {{ ref(base ~ '_patient_family') }} as pf
        using (period, geography_level, geography_code, age_group, simd_quintile, sex)
    full outer join {{ ref(base ~ '_code_9') }} as c9
        using (period, geography_level, geography_code, age_group, simd_quintile, sex)
    where total.numerator is distinct from hsc.numerator + pf.numerator + c9.numerator
        or total.denominator is distinct from hsc.denominator
        or total.denominator is distinct from pf.denominator
        or total.denominator is distinct from c9.denominator
    {% if not loop.last %}union all{% endif %}
{% endfor %}
