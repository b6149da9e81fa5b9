"""The age-standardised emergency admission rate, recomputed in pandas for Scotland
from the synthetic SMR01 extract and the NRS estimates, with the Python DSR function
(whose reference values are tested in tests/unit/stats/test_standardised.py).

Uses the session's shared pipeline run (conftest.indicator_run).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from tests.support import TEST_YEAR, synthetic_twins
from transforms.stats import constants, standardised

pytestmark = pytest.mark.slow

EMERGENCY = {f"{t}" for t in [*range(20, 23), *range(30, 40)]}


def _esp2013_band(age) -> np.ndarray:
    """ESP2013 band index of each age in completed years: 0-4 -> 0, ..., 85-89 -> 17, 90 and over -> 18."""
    return np.minimum(np.asarray(age, dtype=float) // 5, len(constants.ESP2013_WEIGHTS) - 1).astype(int)


@pytest.fixture(scope="module")
def mart(indicator_run):
    return pd.read_parquet(indicator_run[2] / "emergency_admissions_dsr_per_100000.parquet")


def test_scotland_dsr_matches_an_independent_computation(mart, reference_tables):
    episodes = pd.read_parquet(synthetic_twins()["smr01_episodes"])
    first = episodes[(episodes["episode_number"] == 1) & episodes["admission_type"].isin(EMERGENCY)]
    fy = first["admission_date"].dt.year - (first["admission_date"].dt.month < 4)
    first = first[fy == TEST_YEAR]
    bands = _esp2013_band(first["age_at_admission"].to_numpy())
    counts = np.bincount(bands, minlength=len(constants.ESP2013_WEIGHTS))
    pop = reference_tables.hscp_population.query("year == @TEST_YEAR")
    population = np.bincount(
        _esp2013_band(pop["age"].to_numpy()),
        weights=pop["population"].to_numpy(),
        minlength=len(constants.ESP2013_WEIGHTS),
    )
    scot = mart[mart["geography_level"] == "scotland"].iloc[0]
    assert scot["numerator"] == counts.sum() and scot["denominator"] == population.sum()
    for conf, lower, upper in ((0.95, "ci95_lower", "ci95_upper"), (0.998, "ci998_lower", "ci998_upper")):
        dsr = standardised.dsr_details(counts, population, constants.ESP2013_WEIGHTS, 100000, conf)
        assert scot["value"] == pytest.approx(float(dsr["value"]), rel=1e-12)
        assert (scot[lower], scot[upper]) == pytest.approx((float(dsr["lower"]), float(dsr["upper"])), rel=1e-12)
    # Standardising moves the rate away from the crude one (the populations differ in age).
    assert scot["value"] != pytest.approx(100000 * counts.sum() / population.sum(), rel=1e-3)


def test_unpublished_rates_are_marked_and_the_rest_compared_with_scotland(mart):
    assert set(mart["method"]) == {"directly age-standardised rate"}
    hidden = mart[mart["value"].isna()]
    assert (hidden["quality_marker"] == "x").all()
    shown = mart[mart["value"].notna()]
    assert shown["quality_marker"].isna().all()
    assert (shown["ci998_lower"] <= shown["ci95_lower"]).all() and (shown["ci95_upper"] <= shown["ci998_upper"]).all()
    assert set(shown.loc[shown["geography_level"] != "scotland", "compared_with_scotland_95"]) <= {
        "higher",
        "lower",
        "not different",
    }
