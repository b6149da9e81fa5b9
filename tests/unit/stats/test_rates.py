"""Tests for transforms.stats.rates (and .arguments) and the rate UDFs in transforms.udfs.rates.

Reference values come from published sources, cited next to each table:

[PHE-RATE]  ukhsa-collaboration/PHEindicatormethods,
            tests/testthat/testdata_Rate.xlsx (last changed in commit
            840a7d97c44541dae75a9fb4d21526041c125d4b, 2020-01-10; read at
            HEAD 093fd288d8f8949dbcfbed70049dbbf385b6141d), sheets
            "testdata_Rate" and "testdata_Rate_g".  These are the expected
            outputs of phe_rate()/calculate_crude_rate(): exact CI below 10
            events, Byar's from 10.
[PHE-BW]    same repository, tests/testthat/testdata_Byars_Wilson.xlsx
            (commit eb0242c714bb3e9e7e3900ea3a7fab4e9370e7ac, 2018-03-09),
            sheet "testdata_B_W": expected outputs of the package's raw
            byars_lower()/byars_upper() (Byar's formula at any count).
[APHO-TOOL] same repository, "tests/testthat/APHO Tool for common PH Stats
            and CIs_adapted.xlsx" (commit
            91164a7489749b1d29e7550292f57017512fb003), sheet "Rates": the
            PHE/APHO worked example accompanying APHO Technical Briefing 3,
            O = 65, n = 100, 95%, multiplier 100,000.
[PHE-TG]    PHE Public Health Data Science, "Technical Guide: Confidence
            Intervals", version 25 May 2018: "For 95% confidence intervals,
            Byar's method is within 0.2% of the exact value for numerators of
            10 or more."

The numbers were read from the spreadsheets' cached cell values with openpyxl
and are copied here in full precision; they were computed by R (qnorm/qchisq)
or Excel, not by this code base.
"""

from __future__ import annotations

import math

import duckdb
import numpy as np
import pandas as pd
import pytest
from scipy.optimize import brentq
from scipy.stats import poisson

from transforms.stats.rates import (
    EXACT_BELOW,
    byars_ci_count,
    compare_with_benchmark,
    crude_rate,
    crude_rate_ci,
    exact_poisson_ci_count,
    poisson_ci_count,
)

RTOL = 1e-10  # R/Excel vs scipy quantile functions agree to ~1e-15 relative

# ---------------------------------------------------------------------------
# [PHE-RATE] sheet "testdata_Rate", rows Area1-Area8 and Area12
# (multiplier 100 block).
# Columns: Numerator, Denominator, value, lower95_0cl, upper95_0cl,
#          lower99_8cl, upper99_8cl, method
PHE_RATE_PER_100 = [
    (1, 100, 1, 0.025317807984289897, 5.571643390938898, 0.0010005003335835344, 9.233413476451585, "Exact"),
    (5, 100, 5, 1.62348639011842, 11.668332079322669, 0.739371731917839, 16.454745203680105, "Exact"),
    (20, 100, 20, 12.211428834875937, 30.889880369197066, 8.922802365144193, 38.08503562504191, "Byars"),
    (65, 100, 65, 50.163187710459454, 82.84913854593984, 42.8802614714802, 94.00029084431802, "Byars"),
    (9856, 12345, 79.83799108950991, 78.26949058976757, 81.4300165427214, 77.37590543271052, 82.3544727709543, "Byars"),
    (
        7776456,
        7564336677,
        0.10280420256339154,
        0.10273196005302074,
        0.10287648334092832,
        0.102690317308454,
        0.10291817639509068,
        "Byars",
    ),
    (222, 3215, 6.905132192846033, 6.026574877652675, 7.87572937087185, 5.560737695259854, 8.46104668173341, "Byars"),
    (999, 3456, 28.90625, 27.14130493609052, 30.755833237378415, 26.162147596445767, 31.845604819822654, "Byars"),
]

# [PHE-RATE] sheet "testdata_Rate", multiplier 100,000 block, rows Area1-Area4 and Area12
# (95% and 99.8% limits as stored, not rescaled).
PHE_RATE_PER_100000 = [
    (1, 100, 1000, 25.317807984289896, 5571.643390938898, 1.0005003335835343, 9233.413476451586),
    (5, 100, 5000, 1623.4863901184199, 11668.332079322669, 739.3717319178389, 16454.745203680104),
    (20, 100, 20000, 12211.428834875936, 30889.880369197064, 8922.802365144193, 38085.03562504191),
    (65, 100, 65000, 50163.18771045945, 82849.13854593984, 42880.261471480204, 94000.290844318),
    # Area12: rate above the multiplier (more events than population)
    (250, 220, 113636.36363636365, 99984.94738532876, 128631.14487455782, 92710.00554438953, 137651.23772147458),
]

# [PHE-RATE] sheet "testdata_Rate_g" (95%, multiplier 100,000), rows Area1-Area8.
PHE_RATE_G = [
    (2, 200, 1000, 121.10463927198258, 3612.3438338619794),  # Exact
    (10, 200, 5000, 2393.7249569837822, 9195.729302878237),  # Byars: exactly at the switch
    (40, 200, 20000, 14286.649933218456, 27235.04966001213),
    (130, 200, 65000, 54306.52101925725, 77182.74430661963),
    (19712, 24690, 79837.99108950992, 78727.30027133638, 80960.43271813256),
    (15552912, 15128673354, 102.80420256339154, 102.7531168009107, 102.85530745877516),
    (444, 6430, 6905.132192846034, 6277.68811414578, 7578.304458634362),
    (1998, 6912, 28906.25, 27652.52008830221, 30202.169187218453),
]

# [PHE-BW] sheet "testdata_B_W", Byars rows: (x, conf, lowercl, uppercl).
PHE_BYARS = [
    (65, 0.95, 50.163187710459454, 82.84913854593984),
    (1045, 0.95, 982.5932018073325, 1110.33121298565),
    (1, 0.95, 0.01307213290150435, 5.5637555824752605),
    (65, 0.998, 42.8802614714802, 94.00029084431802),
    (1045, 0.998, 947.9407035610374, 1148.806160988033),
    (10, 0.998, 2.916318374695686, 24.193724927880535),
]


# ---------------------------------------------------------------------------
# Published values


def test_crude_rate_ci_matches_phe_testdata_per_100():
    obs, pop, value, lo95, hi95, lo998, hi998, _ = map(np.array, zip(*PHE_RATE_PER_100, strict=False))
    rate, lower, upper = crude_rate_ci(obs, pop, multiplier=100, conf_level=0.95)
    np.testing.assert_allclose(rate, value.astype(float), rtol=RTOL)
    np.testing.assert_allclose(lower, lo95.astype(float), rtol=RTOL)
    np.testing.assert_allclose(upper, hi95.astype(float), rtol=RTOL)
    _, lower, upper = crude_rate_ci(obs, pop, multiplier=100, conf_level=0.998)
    np.testing.assert_allclose(lower, lo998.astype(float), rtol=RTOL)
    np.testing.assert_allclose(upper, hi998.astype(float), rtol=RTOL)
    np.testing.assert_allclose(crude_rate(obs, pop, multiplier=100), value.astype(float), rtol=RTOL)


def test_crude_rate_ci_matches_phe_testdata_per_100000():
    for obs, pop, value, lo95, hi95, lo998, hi998 in PHE_RATE_PER_100000:
        rate, lower, upper = crude_rate_ci(obs, pop, multiplier=100000)
        assert rate == pytest.approx(value, rel=RTOL)
        assert lower == pytest.approx(lo95, rel=RTOL)
        assert upper == pytest.approx(hi95, rel=RTOL)
        _, lower, upper = crude_rate_ci(obs, pop, multiplier=100000, conf_level=0.998)
        assert lower == pytest.approx(lo998, rel=RTOL)
        assert upper == pytest.approx(hi998, rel=RTOL)


def test_crude_rate_ci_matches_phe_grouped_testdata_from_series():
    df = pd.DataFrame(PHE_RATE_G, columns=["obs", "pop", "value", "lower", "upper"])
    rate, lower, upper = crude_rate_ci(df["obs"], df["pop"], multiplier=100000, conf_level=0.95)
    assert isinstance(rate, np.ndarray)
    np.testing.assert_allclose(rate, df["value"], rtol=RTOL)
    np.testing.assert_allclose(lower, df["lower"], rtol=RTOL)
    np.testing.assert_allclose(upper, df["upper"], rtol=RTOL)


def test_byars_formula_matches_phe_byars_testdata():
    # Raw Byar's formula at any count, including x = 1 where poisson_ci_count
    # would use the exact method instead.
    for x, conf, lo, hi in PHE_BYARS:
        lower, upper = byars_ci_count(x, conf)
        assert lower == pytest.approx(lo, rel=RTOL)
        assert upper == pytest.approx(hi, rel=RTOL)
        if x >= EXACT_BELOW:
            assert poisson_ci_count(x, conf)[0] == pytest.approx(lo, rel=RTOL)
            assert poisson_ci_count(x, conf)[1] == pytest.approx(hi, rel=RTOL)


def test_apho_tool_worked_example_byar_and_exact():
    # [APHO-TOOL] sheet "Rates": O = 65, n = 100, 95%, multiplier 100,000
    #   rate D6 = 65000, lower E6 = 50163.18771045945, upper F6 = 82849.13854593984
    #   Byar's count limits H50 = 50.163187710459454, H53 = 82.84913854593984
    #   exact (chi-square) count limits H69 = 50.16562772923427, H72 = 82.84783581587158
    rate, lower, upper = crude_rate_ci(65, 100, multiplier=100000, conf_level=0.95)
    assert rate == pytest.approx(65000, rel=RTOL)
    assert lower == pytest.approx(50163.18771045945, rel=RTOL)
    assert upper == pytest.approx(82849.13854593984, rel=RTOL)
    lower, upper = exact_poisson_ci_count(65, 0.95)
    assert lower == pytest.approx(50.16562772923427, rel=RTOL)
    assert upper == pytest.approx(82.84783581587158, rel=RTOL)


# ---------------------------------------------------------------------------
# Exact branch checked independently of the chi-square formula


def _garwood_by_root_finding(o: int, conf: float) -> tuple[float, float]:
    """Solve the Poisson tail equations directly (no chi-square quantiles).

    lower L: P(X >= o | mu = L) = alpha/2   (L = 0 when o = 0)
    upper U: P(X <= o | mu = U) = alpha/2
    """
    half_alpha = (1 - conf) / 2
    lower = (
        0.0
        if o == 0
        else brentq(lambda mu: poisson.sf(o - 1, mu) - half_alpha, 1e-12, 10 * o + 50, xtol=1e-14, rtol=1e-14)
    )
    upper = brentq(lambda mu: poisson.cdf(o, mu) - half_alpha, 1e-12, 10 * o + 50, xtol=1e-14, rtol=1e-14)
    return lower, upper


@pytest.mark.parametrize("conf", [0.95, 0.998])
def test_exact_branch_agrees_with_poisson_tail_root_finding(conf):
    observed = np.arange(0, EXACT_BELOW)
    lower, upper = poisson_ci_count(observed, conf)
    for o, lo, hi in zip(observed, lower, upper, strict=False):
        ref_lo, ref_hi = _garwood_by_root_finding(int(o), conf)
        assert lo == pytest.approx(ref_lo, rel=1e-9, abs=1e-12)
        assert hi == pytest.approx(ref_hi, rel=1e-9)


def test_zero_count_lower_is_zero_and_upper_is_closed_form():
    lower, upper = poisson_ci_count(0, 0.95)
    assert lower == 0.0
    # For O = 0 the exact upper limit solves exp(-U) = alpha/2, i.e. U = -ln(0.025).
    assert upper == pytest.approx(-math.log(0.025), rel=1e-12)
    _, _, upper_rate = crude_rate_ci(0, 1000, multiplier=1000)
    assert upper_rate == pytest.approx(-math.log(0.025), rel=1e-12)


# ---------------------------------------------------------------------------
# Method switch at 10


@pytest.mark.parametrize("conf", [0.95, 0.998])
def test_method_switches_at_ten(conf):
    # Below 10: exact; 10 and above: Byar's.
    for o in (0, 1, 9):
        np.testing.assert_array_equal(poisson_ci_count(o, conf), exact_poisson_ci_count(o, conf))
    for o in (10, 11, 1000):
        np.testing.assert_array_equal(poisson_ci_count(o, conf), byars_ci_count(o, conf))
    # Limits keep increasing with the count across the switch.
    lower, upper = poisson_ci_count([8, 9, 10, 11, 12], conf)
    assert np.all(np.diff(lower) > 0)
    assert np.all(np.diff(upper) > 0)


def test_byar_close_to_exact_at_switch():
    # [PHE-TG]: at 95%, Byar's is within 0.2% of exact for numerators >= 10.
    for o in (10, 11, 20, 50):
        byar = np.array(byars_ci_count(o, 0.95))
        exact = np.array(exact_poisson_ci_count(o, 0.95))
        assert np.all(np.abs(byar - exact) / exact <= 0.002)
    # At 99.8% the gap at 10 is larger (about 1.5% on the lower limit; own
    # computation, not a published figure) but still small.
    byar = np.array(byars_ci_count(10, 0.998))
    exact = np.array(exact_poisson_ci_count(10, 0.998))
    assert np.all(np.abs(byar - exact) / exact < 0.02)


# ---------------------------------------------------------------------------
# Edge cases


def test_nan_and_invalid_population_give_nan_not_error():
    # [PHE-RATE] rows Area09 (numerator NA), Area10 (denominator NA) and Area11
    # (both NA) have NA value and limits; zero/negative populations are
    # treated the same way here (phe_rate errors instead; documented).
    obs = [None, 10, np.nan, 10, 10, 10]
    pop = [100, None, np.nan, 0, -5, 100]
    rate, lower, upper = crude_rate_ci(obs, pop, multiplier=100000)
    for arr in (rate, lower, upper):
        assert np.all(np.isnan(arr[:5]))
        assert not np.isnan(arr[5])
    assert np.all(np.isnan(crude_rate(obs, pop)[:5]))
    # NaN count in, NaN limits out, with nullable pandas input too.
    lower, upper = poisson_ci_count(pd.Series([np.nan, 3, None], dtype="Float64"))
    assert np.isnan(lower[0]) and np.isnan(upper[0]) and np.isnan(lower[2])
    assert not np.isnan(lower[1])


def test_negative_count_and_bad_conf_level_raise():
    with pytest.raises(ValueError):
        poisson_ci_count([5, -1])
    with pytest.raises(ValueError):
        crude_rate_ci(-1, 100)
    with pytest.raises(ValueError):
        crude_rate(-1, 100)
    for conf in (0, 1, 95, -0.5, np.nan):
        with pytest.raises(ValueError):
            poisson_ci_count(5, conf)


def test_998_interval_wider_than_95():
    observed = np.array([0, 1, 5, 9, 10, 65, 1045, 7776456])
    lo95, hi95 = poisson_ci_count(observed, 0.95)
    lo998, hi998 = poisson_ci_count(observed, 0.998)
    assert np.all(lo998 <= lo95)
    assert np.all(lo998[1:] < lo95[1:])  # both 0 at O = 0
    assert np.all(hi998 > hi95)
    assert np.all((lo95 <= observed) & (observed <= hi95))


def test_scalar_and_array_conf_level_broadcast():
    lower, upper = poisson_ci_count(65, [0.95, 0.998])
    assert lower.shape == (2,)
    assert lower[0] == pytest.approx(50.163187710459454, rel=RTOL)  # [PHE-BW]
    assert lower[1] == pytest.approx(42.8802614714802, rel=RTOL)  # [PHE-BW]


# ---------------------------------------------------------------------------
# compare_with_benchmark


def test_compare_with_benchmark_cases():
    lower = [12.0, 5.0, 8.0, 10.0, 8.0, np.nan, 8.0, 8.0]
    upper = [15.0, 9.0, 12.0, 14.0, 10.0, 12.0, np.nan, 12.0]
    bench = [10.0, 10.0, 10.0, 10.0, 10.0, 10.0, 10.0, np.nan]
    got = compare_with_benchmark(lower, upper, bench)
    assert got.dtype == object
    assert got.tolist() == [
        "higher",  # whole interval above the benchmark
        "lower",  # whole interval below
        "not different",  # interval contains the benchmark
        "not different",  # lower limit equal to the benchmark
        "not different",  # upper limit equal to the benchmark
        None,  # missing lower
        None,  # missing upper
        None,  # missing benchmark
    ]
    # Scalar benchmark broadcasts; scalar in gives a 0-d array.
    assert compare_with_benchmark([1, 20], [2, 30], 10).tolist() == ["lower", "higher"]
    assert compare_with_benchmark(1, 2, 10).item() == "lower"


def test_compare_with_benchmark_on_phe_rates():
    # Area4 of [PHE-RATE]: 65 per 100, 95% CI 50.16-82.85 -> higher than 40,
    # lower than 90, not different from 65.
    _, lo, hi = crude_rate_ci(65, 100, multiplier=100)
    assert compare_with_benchmark(lo, hi, [40, 90, 65]).tolist() == ["higher", "lower", "not different"]


# ---------------------------------------------------------------------------
# DuckDB UDFs


@pytest.fixture()
def conn():
    from transforms.udfs import register

    con = duckdb.connect(":memory:")
    register(con)
    yield con
    con.close()


def test_udfs_match_python_including_null_rows(conn):
    rows = [(o, p, 100.0) for o, p, *_ in PHE_RATE_PER_100] + [
        (None, 100.0, 100.0),  # NULL observed
        (10.0, None, 100.0),  # NULL population
        (10.0, 0.0, 100.0),  # zero population -> NULL, not NaN
        (0.0, 100.0, 100.0),  # O = 0
    ]
    df = pd.DataFrame(rows, columns=["observed", "population", "multiplier"])
    conn.register("t", df)
    for conf in (0.95, 0.998):
        got = conn.execute(
            "select byar_lower(observed, population, multiplier, ?) as lo, "
            "byar_upper(observed, population, multiplier, ?) as hi from t",
            [conf, conf],
        ).fetchall()
        _, exp_lo, exp_hi = crude_rate_ci(df["observed"], df["population"], df["multiplier"], conf)
        assert len(got) == len(df)
        for (lo, hi), elo, ehi in zip(got, exp_lo, exp_hi, strict=False):
            if np.isnan(elo):
                assert lo is None and hi is None
            else:
                assert lo == pytest.approx(elo, rel=1e-12)
                assert hi == pytest.approx(ehi, rel=1e-12)
    # The NULL rows are SQL NULL.
    nulls = conn.execute(
        "select count(*) from t where byar_lower(observed, population, multiplier, 0.95) is null"
    ).fetchone()[0]
    assert nulls == 3
    # Published value through SQL: [APHO-TOOL] 65 per 100, x100,000, 95% lower 50163.18771045945.
    val = conn.execute("select byar_lower(65, 100, 100000, 0.95)").fetchone()[0]
    assert val == pytest.approx(50163.18771045945, rel=RTOL)
    assert conn.execute("select byar_lower(NULL, 100, 100000, 0.95)").fetchone()[0] is None


def test_compare_udf(conn):
    got = conn.execute(
        "select compare_with_benchmark(l, u, b), typeof(compare_with_benchmark(l, u, b)) from "
        "(values (1, 1.0, 2.0, 0.5), (2, 1.0, 2.0, 3.0), (3, 1.0, 2.0, 1.5), (4, NULL, 2.0, 1.5), "
        "(5, 1.0, 2.0, NULL)) v(i, l, u, b) order by i"
    ).fetchall()
    assert [g[0] for g in got] == ["higher", "lower", "not different", None, None]
    assert got[0][1] == "VARCHAR"


def test_udf_errors_on_negative_count(conn):
    with pytest.raises(duckdb.Error, match="greater than or equal to zero"):
        conn.execute("select byar_lower(-1, 100, 1000, 0.95)").fetchall()


def test_udfs_null_conf_level_gives_null(conn):
    # A NULL in any argument, including the confidence level, gives NULL (not an error).
    got = conn.execute(
        "select byar_lower(5, 100, 1000, NULL), byar_upper(5, 100, 1000, c), wilson_lower(5, 100, 100, c) "
        "from (values (NULL::double), (0.95)) v(c) order by c nulls first"
    ).fetchall()
    assert got[0] == (None, None, None)
    _, _, hi = crude_rate_ci(5, 100, 1000, 0.95)
    assert got[1][0] is None and got[1][1] == float(hi)
    with pytest.raises(duckdb.Error, match="conf_level"):
        conn.execute("select byar_lower(5, 100, 1000, 95)").fetchall()


def test_argument_helpers():
    import pyarrow as pa

    from transforms.stats.arguments import alpha_from_conf, as_float, check_observed, positive

    np.testing.assert_array_equal(as_float(pd.Series([1, None], dtype="Int64")), [1.0, np.nan])
    np.testing.assert_array_equal(as_float(pa.chunked_array([[1.5, None]])), [1.5, np.nan])
    np.testing.assert_array_equal(as_float([2, None]), [2.0, np.nan])
    assert as_float(3).ndim == 0
    np.testing.assert_allclose(alpha_from_conf([0.95, 0.998]), [0.05, 0.002])
    for bad in (0, 1, 95, np.nan, [0.95, 1.2]):
        with pytest.raises(ValueError, match="conf_level"):
            alpha_from_conf(bad)
    check_observed(np.array([0.0, np.nan, 3.0]))  # NaN passes
    with pytest.raises(ValueError, match="greater than or equal to zero"):
        check_observed(np.array([1.0, -1.0]))
    assert positive(np.array([1.0, 0.0, -1.0, np.nan])).tolist() == [True, False, False, False]
