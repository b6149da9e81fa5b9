"""Every built mart agrees with its catalogue entry.

The marts read their method, multiplier, age groups, confidence levels, geography
levels and period type from catalogue/<id>.yml (through the generated
dbt_project/macros/catalogue.sql); this checks the rows of the shared pipeline run
(the `indicator_run` fixture) say the same. A mart of an optional published
aggregate that the run did not have is not built, and not checked.
"""

from __future__ import annotations

import pandas as pd
import pytest

from transforms.catalogue import CONFIDENCE_LEVELS, load_catalogue

pytestmark = pytest.mark.slow

INDICATORS = load_catalogue()


@pytest.mark.parametrize("ind", INDICATORS, ids=[i.id for i in INDICATORS])
def test_the_mart_is_built_as_its_catalogue_entry_says(indicator_run, ind):
    _, state, marts = indicator_run
    path = marts / f"{ind.mart}.parquet"
    if not path.exists():
        assert ind.source_extract not in state.inputs, f"{ind.id}: no mart {path.name} although its input was supplied"
        pytest.skip(f"{ind.source_extract} not supplied to the shared run")
    mart = pd.read_parquet(path)
    mart = mart[mart["indicator_id"] == ind.id]
    assert not mart.empty, f"{ind.mart}.parquet has no rows of {ind.id}"
    assert set(mart["method"]) == {ind.method}
    assert set(mart["multiplier"]) == {ind.multiplier}
    assert set(mart["sex"]) == {ind.sex}
    assert set(mart["age_group"]) == set(ind.age_groups)
    assert set(mart["period_type"]) == {ind.period_type}
    assert set(mart["geography_level"]) == set(ind.geography_levels)
    for level, suffix in CONFIDENCE_LEVELS.items():
        filled = mart[[f"ci{suffix}_lower", f"ci{suffix}_upper"]].notna().any().all()
        assert filled == (level in ind.confidence_levels), (
            f"{ind.id}: ci{suffix} columns {'filled' if filled else 'empty'}, "
            f"catalogue confidence_levels {ind.confidence_levels}"
        )
