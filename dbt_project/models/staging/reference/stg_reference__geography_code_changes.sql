select
    geography_level,
    old_code,
    new_code,
    area_name,
    cast(date_archived as date) as date_archived
from {{ source('reference', 'geography_code_changes') }}
