select
    cast(year as integer) as year,
    hscp2019,
    sex,
    cast(age as integer) as age,
    cast(population as bigint) as population
from {{ source('reference', 'hscp_population_estimates') }}
