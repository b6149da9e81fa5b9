select
    datazone2011,
    sex,
    cast(age as integer) as age,
    cast(population as bigint) as population
from {{ source('reference', 'datazone_population_2021') }}
