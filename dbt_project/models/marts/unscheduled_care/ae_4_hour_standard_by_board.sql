{{ config(enabled=input_supplied('public_ae_monthly')) }}

-- Percentage of A&E attendances seen within 4 hours by NHS board of TREATMENT and
-- Scotland, by financial year, from PHS's published monthly A&E activity by site
-- (new and unplanned return attendances at EDs and MIUs; the board is the site's
-- HBT). Not residence-based, so not indicator_mart itself; its levels, limits and
-- output columns. Only financial years in the configured period with all 12
-- months published.
{%- set entry = catalogue_entry('ae_4_hour_standard_by_board') %}

with sites as (
    select *
    from {{ ref('stg_public__ae_monthly') }}
    where financial_year between {{ first_financial_year() }} and {{ last_financial_year() }}
        and financial_year in (
            select financial_year from {{ ref('stg_public__ae_monthly') }}
            group by financial_year
            having count(distinct month_start) = 12
        )
),

boards as (
    select distinct
        hb2019,
        hb2019_name
    from {{ ref('int_geography_datazone_hierarchy') }}
),

country as (
    select distinct
        country_code,
        country_name
    from {{ ref('int_geography_datazone_hierarchy') }}
),

counts as (
    select
        sites.*,
        boards.hb2019_name,
        country.*
    from sites
    left join boards using (hb2019)
    cross join country
),

by_area as (
    {%- for level in indicator_levels(entry.geography_levels) %}
        select
            financial_year as period_key,
            'All ages' as age_group,
            'all' as simd_quintile,
            {{ indicator_level_columns(level) }},
            sum(within_4_hours)::bigint as numerator,
            sum(attendances)::bigint as denominator
        from counts
        group by all
        {% if not loop.last %}union all{% endif %}
    {%- endfor %}
),

{{ indicator_measured_rows(entry, quality_marker='null::varchar') }}
