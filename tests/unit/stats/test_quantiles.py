"""Tests for transforms.stats.quantiles against published PHEindicatormethods outputs.

Reference values: [PHE-Q], in tests/unit/stats/reference_values/quantiles.py with
their citation (imported from there, as tests/unit/udfs/test_udfs_quantiles.py does).
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from tests.unit.stats.reference_values.quantiles import DUPS, REGIONS, SEPTILE_EXPECTED, SEPTILE_VALUES
from transforms.stats.quantiles import assign_quantiles, quantile_from_rank


def _as_list(series):
    return [None if pd.isna(x) else int(x) for x in series]


def test_ties_within_groups_with_invert_field():
    df = pd.DataFrame(DUPS, columns=["region", "invert", "value", "expected"])
    got = assign_quantiles(df, "value", nquantiles=10, group_cols="region", invert="invert")
    assert str(got.dtype) == "Int64"
    assert _as_list(got) == df["expected"].tolist()
    # Ties share a quantile: Region1's two 169.27 and two 108.9 values.
    r1 = df["region"] == "Region1"
    assert got[r1 & (df["value"] == 169.27)].nunique() == 1
    assert got[r1 & (df["value"] == 108.9)].nunique() == 1


def test_deciles_within_regions_too_few_and_missing():
    df = pd.DataFrame(REGIONS, columns=["region", "area", "value", "expected"])
    with pytest.warns(UserWarning, match="too few small areas"):
        got = assign_quantiles(df, "value", nquantiles=10, group_cols=["region"], invert=True)
    assert _as_list(got) == [None if pd.isna(x) else int(x) for x in df["expected"]]
    # The region with 9 areas gets no deciles; the area without a value gets none.
    assert got[df["region"] == "E12000004"].isna().all()
    assert pd.isna(got[df["area"] == "E06000053"].iloc[0])


def test_septiles_ungrouped_not_inverted():
    df = pd.DataFrame({"value": SEPTILE_VALUES})
    got = assign_quantiles(df, "value", nquantiles=7, invert=False)
    assert _as_list(got) == SEPTILE_EXPECTED
    # invert=True reverses the order for these (untied) values: quantile q <-> 8 - q.
    inv = assign_quantiles(df, "value", nquantiles=7, invert=True)
    n = 150
    ranks_desc = pd.Series(SEPTILE_VALUES).rank(ascending=False, method="min")
    expected_inv = quantile_from_rank(ranks_desc, n, 7)
    assert _as_list(inv) == [None if np.isnan(x) else int(x) for x in expected_inv]


def test_formula_by_hand():
    # Own arithmetic (not a published number), checking the formula and the
    # 0 -> 1 rule: n = 13, q = 10, so n/q = 1.3;
    #   rank 1:  (14 - 1)/1.3 = 10     -> ceiling 10 -> 11 - 10 = 1
    #   rank 3:  (14 - 3)/1.3 = 8.46   -> 9          -> 2      (DUPS: 169.27 -> 2)
    #   rank 5:  (14 - 5)/1.3 = 6.92   -> 7          -> 4      (DUPS: 155.83 -> 4)
    #   rank 13: (14 - 13)/1.3 = 0.77  -> 1          -> 10
    np.testing.assert_array_equal(quantile_from_rank([1, 3, 5, 13], 13, 10), [1, 2, 4, 10])
    # n = 17, q = 7: for rank 1, 17 / (17/7) is 7.000000000000001 in floating
    # point, so floor(8 - ceiling(...)) = 0, which the rule turns into 1.
    assert 17 / (17 / 7) > 7
    assert quantile_from_rank(1, 17, 7).item() == 1
    # Fewer values than quantiles, or a missing rank: NaN.
    assert np.isnan(quantile_from_rank(1, 4, 5)).item()
    assert np.isnan(quantile_from_rank(np.nan, 20, 5)).item()


def test_equal_values_everywhere_and_nan_groups():
    # All values tied: every area has rank 1 -> quantile 1.
    df = pd.DataFrame({"g": ["a"] * 6 + [None] * 2, "v": [5.0] * 8})
    got = assign_quantiles(df, "v", nquantiles=5, group_cols="g")
    assert _as_list(got) == [1] * 6 + [None, None]  # rows without a group get none


def test_grouping_is_independent_per_group():
    rng = np.random.default_rng(7)
    df = pd.DataFrame({"g": np.repeat(["x", "y"], 20), "v": rng.normal(size=40)})
    together = assign_quantiles(df, "v", nquantiles=5, group_cols="g")
    for key in ("x", "y"):
        alone = assign_quantiles(df[df["g"] == key], "v", nquantiles=5)
        assert _as_list(alone) == _as_list(together[df["g"] == key])
    # With 20 untied values per group each quintile has exactly 4 areas.
    assert together.groupby(df["g"]).value_counts().eq(4).all()


def test_invalid_arguments():
    df = pd.DataFrame({"g": ["a", "a", "b"], "inv": [True, False, True], "v": [1.0, 2.0, 3.0]})
    with pytest.raises(ValueError, match="same value within each group"):
        assign_quantiles(df, "v", nquantiles=1, group_cols="g", invert="inv")
    with pytest.raises(KeyError):
        assign_quantiles(df, "v", invert="polarity")
    with pytest.raises(ValueError):
        assign_quantiles(df, "v", nquantiles=0)
    with pytest.raises(ValueError):
        assign_quantiles(df, "v", invert=3)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assign_quantiles(df, "v", nquantiles=3)  # enough values: no warning
