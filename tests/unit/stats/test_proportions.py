"""Tests for transforms.stats.proportions (Wilson score interval).

Reference values come from published sources, cited next to each table:

[PHE-PROP]  ukhsa-collaboration/PHEindicatormethods,
            tests/testthat/testdata_Proportion.xlsx (last changed in commit
            840a7d97c44541dae75a9fb4d21526041c125d4b, 2020-01-10; read at
            HEAD 093fd288d8f8949dbcfbed70049dbbf385b6141d), sheets
            "testdata_Prop" (rows 2-20) and "testdata_Prop_g" (rows 2-12):
            the expected outputs of phe_proportion() (Wilson score method,
            R/Proportions.R and wilson_lower/wilson_upper in R/utils.R).
[PHE-BW]    same repository, tests/testthat/testdata_Byars_Wilson.xlsx
            (commit eb0242c714bb3e9e7e3900ea3a7fab4e9370e7ac, 2018-03-09),
            sheet "testdata_B_W", rows 8-13 (method "Wilson").

The numbers were read from the spreadsheets' cached cell values with
openpyxl and are copied here in full precision; they were not computed by
this code base.  Values computed for these tests (closed forms at x = 0 and
x = n) are marked as such and checked a second, independent way by solving
the score equation numerically.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy.optimize import brentq
from scipy.stats import norm

from transforms.stats.proportions import wilson_ci

RTOL = 1e-10

# [PHE-PROP] sheet "testdata_Prop", rows 2-9 (Area1-Area8, multiplier 1).
# Columns: Numerator, Denominator, value, lower95_0cl, upper95_0cl, lower99_8cl, upper99_8cl
PHE_PROP_PER_1 = [
    (1, 100, 0.01, 0.0017674320641406511, 0.054486196178705294, 0.000873065697299977, 0.1045544528370582),
    (5, 100, 0.05, 0.02154367915436798, 0.11175046923191911, 0.013865320725997183, 0.16458852282596442),
    (20, 100, 0.2, 0.1333669333310325, 0.28882916559315885, 0.10519162066711432, 0.3471109417008601),
    (65, 100, 0.65, 0.5525444329688797, 0.7363575175690247, 0.4954946574070431, 0.7783540614089697),
    (9856, 12345, 0.7983799108950992, 0.7912101752909069, 0.8053640073614909, 0.7869924108419063, 0.8093061412589626),
    (
        7776456,
        7564336677,
        0.0010280420256339154,
        0.0010273201001641094,
        0.0010287644578977231,
        0.0010269040118442213,
        0.0010291812992698397,
    ),
    (
        222,
        3215,
        0.06905132192846034,
        0.060791690363636595,
        0.07833956681383633,
        0.05647101964624248,
        0.08418414185270134,
    ),
    (999, 3456, 0.2890625, 0.27418951080009873, 0.30440389662818057, 0.26583995768074953, 0.3134475449279985),
]

# [PHE-PROP] sheet "testdata_Prop", rows 10-17 (the same areas as percentages, multiplier 100).
PHE_PROP_PERCENT = [
    (1, 100, 1, 0.1767432064140651, 5.44861961787053, 0.0873065697299977, 10.45544528370582),
    (5, 100, 5, 2.154367915436798, 11.17504692319191, 1.3865320725997183, 16.458852282596443),
    (20, 100, 20, 13.33669333310325, 28.882916559315884, 10.519162066711433, 34.71109417008601),
    (65, 100, 65, 55.25444329688797, 73.63575175690247, 49.54946574070431, 77.83540614089696),
    (9856, 12345, 79.83799108950991, 79.1210175290907, 80.53640073614909, 78.69924108419063, 80.93061412589626),
    (
        7776456,
        7564336677,
        0.10280420256339154,
        0.10273201001641094,
        0.10287644578977231,
        0.10269040118442213,
        0.10291812992698397,
    ),
    (222, 3215, 6.905132192846033, 6.07916903636366, 7.833956681383633, 5.647101964624248, 8.418414185270134),
    (999, 3456, 28.90625, 27.418951080009872, 30.440389662818056, 26.583995768074953, 31.344754492799847),
]

# [PHE-PROP] sheet "testdata_Prop_g", rows 2-9 (grouped data: each area's two
# rows of "testdata_Prop" summed, 95%, multiplier 1).
# Columns: Numerator, Denominator, value, lowercl, uppercl
PHE_PROP_G = [
    (2, 200, 0.01, 0.002746658133544438, 0.035721761716176796),
    (10, 200, 0.05, 0.027382645600763925, 0.08957814813877597),
    (40, 200, 0.2, 0.15045200926098115, 0.2608551865653788),
    (130, 200, 0.65, 0.5816346433604008, 0.7127117587264192),
    (19712, 24690, 0.7983799108950992, 0.7933291845541375, 0.8033378032278297),
    (15552912, 15128673354, 0.0010280420256339154, 0.0010275314947741198, 0.0010285528098907119),
    (444, 6430, 0.06905132192846034, 0.06310799576298091, 0.0755092618317013),
    (1998, 6912, 0.2890625, 0.2784949436323704, 0.2998643901720741),
]

# [PHE-BW] sheet "testdata_B_W", rows 8-13: (x, n, conf, lowercl, uppercl), proportions.
# Row 10/13 has a non-integer numerator (0.445 of 1).
PHE_BW_WILSON = [
    (65, 100, 0.95, 0.5525444329688797, 0.7363575175690247),
    (1045, 5000, 0.95, 0.19795549880013297, 0.22049130373189027),
    (0.445, 1, 0.95, 0.04381744772058822, 0.9334621276979156),
    (65, 100, 0.998, 0.4954946574070431, 0.7783540614089697),
    (1045, 5000, 0.998, 0.19179381799015244, 0.22731562902525818),
    (0.445, 1, 0.998, 0.019347006132900975, 0.9702259947019541),
]


# ---------------------------------------------------------------------------
# Published values


@pytest.mark.parametrize("table, multiplier", [(PHE_PROP_PER_1, 1), (PHE_PROP_PERCENT, 100)])
def test_wilson_matches_phe_testdata(table, multiplier):
    x, n, value, lo95, hi95, lo998, hi998 = (np.array(c, dtype=float) for c in zip(*table, strict=False))
    got_value, lower, upper = wilson_ci(x, n, conf_level=0.95, multiplier=multiplier)
    np.testing.assert_allclose(got_value, value, rtol=RTOL)
    np.testing.assert_allclose(lower, lo95, rtol=RTOL)
    np.testing.assert_allclose(upper, hi95, rtol=RTOL)
    _, lower, upper = wilson_ci(x, n, conf_level=0.998, multiplier=multiplier)
    np.testing.assert_allclose(lower, lo998, rtol=RTOL)
    np.testing.assert_allclose(upper, hi998, rtol=RTOL)


def test_wilson_matches_phe_grouped_testdata_from_series():
    df = pd.DataFrame(PHE_PROP_G, columns=["x", "n", "value", "lower", "upper"])
    value, lower, upper = wilson_ci(df["x"], df["n"], conf_level=0.95, multiplier=1)
    assert isinstance(value, np.ndarray)
    np.testing.assert_allclose(value, df["value"], rtol=RTOL)
    np.testing.assert_allclose(lower, df["lower"], rtol=RTOL)
    np.testing.assert_allclose(upper, df["upper"], rtol=RTOL)


@pytest.mark.parametrize("x, n, conf, lo, hi", PHE_BW_WILSON)
def test_wilson_matches_phe_byars_wilson_sheet(x, n, conf, lo, hi):
    _, lower, upper = wilson_ci(x, n, conf_level=conf, multiplier=1)
    assert lower == pytest.approx(lo, rel=RTOL)
    assert upper == pytest.approx(hi, rel=RTOL)


def test_default_multiplier_is_percentage():
    # [PHE-PROP] row 5 (Area4): 65/100 -> 65%, 95% CI 55.25444329688797-73.63575175690247.
    value, lower, upper = wilson_ci(65, 100)
    assert value == pytest.approx(65, rel=RTOL)
    assert lower == pytest.approx(55.25444329688797, rel=RTOL)
    assert upper == pytest.approx(73.63575175690247, rel=RTOL)
    assert value.shape == ()


# ---------------------------------------------------------------------------
# Independent check: the limits solve the score equation


def _score_limits(x: float, n: float, conf: float) -> tuple[float, float]:
    """Roots in p of (x - n p)^2 = z^2 n p (1 - p), found numerically (no closed form)."""
    z = norm.isf((1 - conf) / 2)
    f = lambda p: (x - n * p) ** 2 - z * z * n * p * (1 - p)  # noqa: E731
    phat = x / n  # f(phat) < 0 < f at the far end; keep p = 0 and p = 1 (roots at x = 0, x = n) out of the brackets
    lower = 0.0 if x == 0 else brentq(f, 0.0, min(phat, 1 - 1e-15), xtol=1e-16, rtol=1e-14)
    upper = 1.0 if x == n else brentq(f, max(phat, 1e-300), 1.0, xtol=1e-16, rtol=1e-14)
    return lower, upper


@pytest.mark.parametrize("conf", [0.95, 0.998])
@pytest.mark.parametrize("x, n", [(0, 1), (0, 20), (1, 29), (15, 148), (81, 263), (20, 20), (3, 7), (999, 1000)])
def test_wilson_limits_solve_score_equation(x, n, conf):
    _, lower, upper = wilson_ci(x, n, conf_level=conf, multiplier=1)
    ref_lo, ref_hi = _score_limits(x, n, conf)
    assert lower == pytest.approx(ref_lo, rel=1e-9, abs=1e-14)
    assert upper == pytest.approx(ref_hi, rel=1e-9, abs=1e-14)


# ---------------------------------------------------------------------------
# Edge cases


def test_zero_numerator_and_numerator_equal_to_denominator():
    # Computed here (closed forms of the Wilson formula) and checked above by
    # root finding: x = 0 gives [0, z^2/(n + z^2)]; x = n gives [n/(n + z^2), 1].
    z2 = norm.isf(0.025) ** 2
    value, lower, upper = wilson_ci(0, 20, multiplier=1)
    assert value == 0.0 and lower == 0.0
    assert upper == pytest.approx(z2 / (20 + z2), rel=1e-12)
    value, lower, upper = wilson_ci(20, 20, multiplier=100)
    assert value == 100.0 and upper == 100.0
    assert lower == pytest.approx(100 * 20 / (20 + z2), rel=1e-12)


def test_denominator_zero_and_nan_give_nan():
    # [PHE-PROP] rows 18-20 (Area09 numerator NA, Area10 denominator NA,
    # Area11 both NA) have NA value and limits.  Denominator 0 is NaN here too.
    x = [None, 10, np.nan, 0, 5]
    n = [100, None, np.nan, 0, 10]
    value, lower, upper = wilson_ci(x, n)
    for arr in (value, lower, upper):
        assert np.all(np.isnan(arr[:4]))
        assert not np.isnan(arr[4])
    value, lower, upper = wilson_ci(pd.Series([np.nan, 3], dtype="Float64"), pd.Series([10, 10], dtype="Int64"))
    assert np.isnan(value[0]) and np.isnan(lower[0]) and np.isnan(upper[0])
    assert value[1] == pytest.approx(30.0)


def test_invalid_inputs_raise():
    with pytest.raises(ValueError, match="less than or equal"):
        wilson_ci(11, 10)
    with pytest.raises(ValueError, match="less than or equal"):
        wilson_ci([1, 11], [10, 10])
    with pytest.raises(ValueError):
        wilson_ci(-1, 10)
    with pytest.raises(ValueError):
        wilson_ci(0, -1)
    for conf in (0, 1, 95, -0.5, np.nan):
        with pytest.raises(ValueError):
            wilson_ci(5, 10, conf_level=conf)


def test_998_interval_wider_than_95():
    x = np.array([0, 1, 5, 50, 99, 100])
    n = np.full(x.shape, 100)
    _, lo95, hi95 = wilson_ci(x, n)
    _, lo998, hi998 = wilson_ci(x, n, conf_level=0.998)
    assert np.all(lo998 <= lo95) and np.all(hi998 >= hi95)
    assert np.all(lo998[1:] < lo95[1:])  # both 0 at x = 0
    assert np.all(hi998[:-1] > hi95[:-1])  # both 100 at x = n
    assert np.all((lo95 >= 0) & (hi95 <= 100) & (lo95 <= x) & (x <= hi95))


def test_broadcasting_conf_levels():
    _, lower, upper = wilson_ci(65, 100, conf_level=[0.95, 0.998], multiplier=1)
    assert lower.shape == (2,)
    # [PHE-BW] rows 8 and 11
    np.testing.assert_allclose(lower, [0.5525444329688797, 0.4954946574070431], rtol=RTOL)
    np.testing.assert_allclose(upper, [0.7363575175690247, 0.7783540614089697], rtol=RTOL)
    assert not math.isnan(float(upper[1]))


def test_wilson_udfs_match_python_including_nulls():
    """The SQL functions call wilson_ci itself, so values agree exactly; NULL in, NULL out."""
    import duckdb

    from transforms.stats.proportions import wilson_ci
    from transforms.udfs import register

    con = register(duckdb.connect())
    rows = con.sql("""
        select wilson_lower(n, d, 100, c), wilson_upper(n, d, 100, c)
        from (values (65.0, 100.0, 0.95), (1045.0, 5000.0, 0.998), (null, 10.0, 0.95), (0.0, 0.0, 0.95))
            as t(n, d, c)
    """).fetchall()
    _, lo, hi = wilson_ci([65, 1045], [100, 5000], [0.95, 0.998], 100)
    assert rows[0] == (lo[0], hi[0]) and rows[1] == (lo[1], hi[1])
    assert rows[2] == (None, None) and rows[3] == (None, None)
