-- The urban-rural classes of a data zone nest as the Scottish Government defines
-- them: 8-fold 1-3 are 6-fold 1-3, 8-fold 4-5 are 6-fold 4, 6 is 5, 7-8 are 6;
-- 6-fold 1-4 are 3-fold 1 and 2-fold 1 (urban), 6-fold 5 is 3-fold 2 and 6 is
-- 3-fold 3, both 2-fold 2 (rural). peer_family_features counts 6-fold classes.
-- Any row returned is a failure.
select *
from {{ ref('stg_reference__urban_rural_dz2011') }}
where urban_rural_6fold != case
        when urban_rural_8fold <= 3 then urban_rural_8fold
        when urban_rural_8fold <= 5 then 4
        when urban_rural_8fold = 6 then 5
        else 6
    end
    or urban_rural_3fold != case when urban_rural_6fold <= 4 then 1 else urban_rural_6fold - 3 end
    or urban_rural_2fold != case when urban_rural_6fold <= 4 then 1 else 2 end
