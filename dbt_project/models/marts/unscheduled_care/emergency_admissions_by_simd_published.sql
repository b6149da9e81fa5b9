{{ config(enabled=input_supplied('public_admissions_hscp_simd')) }}

-- Emergency admissions per 1,000 population by HSCP and SIMD quintile, from the
-- published PHS aggregate "Hospital admissions by HSCP and deprivation" (no data
-- zones, so not indicator_mart itself; its levels, limits and output columns).
-- Rows for each quintile ('1' most deprived .. '5') and for all quintiles, for
-- HSCPs, health boards (HSCPs nest in boards) and Scotland, which are sums of their
-- HSCPs: the file has no Scotland rows. An area's quintile row is compared with
-- Scotland's row of the same quintile.
{%- set entry = catalogue_entry('emergency_admissions_by_simd_published') %}

with hscps as (
    select distinct
        hscp2019,
        hscp2019_name,
        hb2019,
        hb2019_name,
        country_code,
        country_name
    from {{ ref('int_geography_datazone_hierarchy') }}
),

counts as (
    select
        counts.*,
        hscps.* exclude (hscp2019)
    from {{ ref('int_public_emergency_admissions_hscp_simd') }} as counts
    inner join hscps on counts.hscp2019 = hscps.hscp2019
),

by_quintile as (
    select
        *,
        simd_quintile::varchar as quintile
    from counts
    union all
    select
        *,
        'all' as quintile
    from counts
),

by_area as (
    {%- for level in indicator_levels(entry.geography_levels) %}
        select
            financial_year as period_key,
            'All ages' as age_group,
            quintile as simd_quintile,
            {{ indicator_level_columns(level) }},
            sum(emergency_admissions)::bigint as numerator,
            sum(population)::bigint as denominator,
            sum(weeks_absent)::bigint as cells_absent
        from by_quintile
        group by all
        {% if not loop.last %}union all{% endif %}
    {%- endfor %}
),

-- 'y' (incomplete, PHS statistical qualifiers): cells below 5 are absent from the
-- file, so the count is a lower bound (by up to 4 per absent cell).
{{ indicator_measured_rows(entry, quality_marker="case when measured.cells_absent > 0 then 'y' end") }}
