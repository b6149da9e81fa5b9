"""Tests for transforms.stats.funnels against published PHEindicatormethods outputs.

Reference values: the [PHE-FUN] tables of tests/unit/stats/reference_values/funnels.py,
cited there next to each table (shared with tests/unit/udfs/test_udfs_funnels.py).
Methods:

[PHE-UTIL] ukhsa-collaboration/PHEindicatormethods at the HEAD of [PHE-FUN],
           R/utils.R: sigma_adjustment() (the package's closed form for the
           proportion limits) and poisson_funnel() (bisection on
           v = mu/(1+O+mu) until the step is below 1e-7).
[PHE-TG]   PHE, "Technical Guide: Confidence Intervals" (2018): Byar's method is
           within 0.2% of the exact value for 95% limits and counts >= 10.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.stats import norm

from tests.unit.stats.reference_values.funnels import (
    PROP_AREAS,
    PROP_AXIS_BASELINE,
    PROP_AXIS_LIMITS,
    PROP_BASELINE,
    PROP_LIMITS,
    RATE_CRUDE_BASELINE,
    RATE_CRUDE_POINTS,
    RATE_DSR_BASELINE,
    RATE_DSR_POINTS,
    RATE_EV,
    RATE_RATE,
    RATE_SIG,
    SIG_COUNT,
    SIG_CRUDE,
    SIG_DSR,
    SIG_LABELS,
    SIG_POP,
)
from transforms.stats.funnels import (
    ABOVE_95,
    ABOVE_998,
    BELOW_95,
    BELOW_998,
    PHE_LABELS,
    WITHIN,
    classify_against_limits,
    derived_denominator,
    funnel_benchmark,
    proportion_funnel_limits,
    proportion_funnel_significance,
    rate_funnel_limits,
    rate_funnel_points,
    rate_funnel_significance,
)
from transforms.stats.rates import crude_rate

# ---------------------------------------------------------------------------
# Proportions


def test_proportion_limits_match_phe():
    pop = np.array([r[0] for r in PROP_LIMITS], dtype=float)
    l95, u95 = proportion_funnel_limits(pop, PROP_BASELINE, 0.95, multiplier=100)
    l998, u998 = proportion_funnel_limits(pop, PROP_BASELINE, 0.998, multiplier=100)
    # The CSV has 8 significant figures and the baseline is itself rounded,
    # so agreement is to about 1e-6 percentage points.
    np.testing.assert_allclose(l95, [r[1] for r in PROP_LIMITS], rtol=0, atol=2e-6)
    np.testing.assert_allclose(u95, [r[2] for r in PROP_LIMITS], rtol=0, atol=2e-6)
    np.testing.assert_allclose(l998, [r[3] for r in PROP_LIMITS], rtol=0, atol=2e-6)
    np.testing.assert_allclose(u998, [r[4] for r in PROP_LIMITS], rtol=0, atol=2e-6)


def test_proportion_limits_match_phe_axis_variation():
    pop = np.array([r[0] for r in PROP_AXIS_LIMITS], dtype=float)
    l95, u95 = proportion_funnel_limits(pop, PROP_AXIS_BASELINE, 0.95, multiplier=100)
    l998, u998 = proportion_funnel_limits(pop, PROP_AXIS_BASELINE, 0.998, multiplier=100)
    for got, col in ((l95, 1), (u95, 2), (l998, 3), (u998, 4)):
        np.testing.assert_allclose(got, [r[col] for r in PROP_AXIS_LIMITS], rtol=0, atol=5e-8)


def _phe_sigma_adjustment(p, population, average_proportion, side, multiplier):
    """[PHE-UTIL] sigma_adjustment(), transcribed to check our formula a second way."""
    q2 = norm.ppf(p) ** 2
    first_part = average_proportion * (population / q2 + 1)
    adj = np.sqrt(
        (-8 * average_proportion * (population / q2 + 1)) ** 2
        - 64
        * (1 / q2 + 1 / population)
        * average_proportion
        * (population * (average_proportion * (population / q2 + 2) - 1) + q2 * (average_proportion - 1))
    )
    last_part = 1 / q2 + 1 / population
    value = (first_part - adj / 8) / last_part if side == "low" else (first_part + adj / 8) / last_part
    return value / population * multiplier


def _wilson_lower(x, n, z):
    """Wilson score lower limit (Wilson 1927), written out independently."""
    p = x / n
    return (2 * n * p + z * z - z * math.sqrt(z * z + 4 * n * p * (1 - p))) / (2 * (n + z * z))


@pytest.mark.parametrize("conf, tail", [(0.95, 0.975), (0.998, 0.999)])
def test_proportion_limits_equal_package_closed_form_and_wilson_inversion(conf, tail):
    # Our p -/+ z*sqrt(p(1-p)/n) against the package's quadratic root, over a grid.
    pops = np.array([5.0, 37, 100, 2500, 1e6])
    for p in (0.02, 0.3, 0.5, 0.8064, 0.97):
        lo, hi = proportion_funnel_limits(pops, p * 100, conf, multiplier=100)
        exp_lo = np.clip(_phe_sigma_adjustment(tail, pops, p, "low", 100), 0, 100)
        exp_hi = np.clip(_phe_sigma_adjustment(tail, pops, p, "high", 100), 0, 100)
        np.testing.assert_allclose(lo, exp_lo, rtol=1e-9, atol=1e-9)
        np.testing.assert_allclose(hi, exp_hi, rtol=1e-9, atol=1e-9)
        # And the meaning: at the upper limit the Wilson lower limit of the
        # observed proportion is exactly the benchmark.
        z = norm.isf((1 - conf) / 2)
        for n, h in zip(pops, hi, strict=False):
            if h < 100:
                assert _wilson_lower(h / 100 * n, n, z) == pytest.approx(p, rel=1e-9)


def test_proportion_significance_matches_phe():
    num = [r[1] for r in PROP_AREAS]
    den = [r[2] for r in PROP_AREAS]
    got = proportion_funnel_significance(num, den, benchmark=PROP_BASELINE, multiplier=100)
    assert [PHE_LABELS[g] for g in got] == [r[3] for r in PROP_AREAS]
    # The same with the proportion scale (multiplier 1).
    got1 = proportion_funnel_significance(num, den, benchmark=PROP_BASELINE / 100)
    assert got1.tolist() == got.tolist()


def test_proportion_significance_errors_and_missing():
    with pytest.raises(ValueError, match="less than or equal to denominator"):
        proportion_funnel_significance([11, 5], [10, 10])
    with pytest.raises(ValueError, match="greater than or equal to zero"):
        proportion_funnel_significance([-1, 5], [10, 10])
    with pytest.raises(ValueError, match="between 0 and multiplier"):
        proportion_funnel_limits(100, 120, multiplier=100)
    # A zero or missing denominator gives no classification rather than an error.
    got = proportion_funnel_significance([0, 50, 5], [0, 100, np.nan], benchmark=0.5)
    assert got.tolist() == [None, WITHIN, None]
    lo, hi = proportion_funnel_limits([0, np.nan, 100], 50)
    assert np.isnan(lo[:2]).all() and np.isnan(hi[:2]).all() and not np.isnan(lo[2])


# ---------------------------------------------------------------------------
# Rates: benchmark and points by event count


def test_rate_benchmark_from_derived_denominators():
    # dsr: denominator = 1e5 * ev / rate, pooled rate = sum(ev)/sum(denominator)*1e5.
    den = derived_denominator(RATE_EV, RATE_RATE, multiplier=1e5, rate_type="dsr")
    assert funnel_benchmark(RATE_EV, den, 1e5) == pytest.approx(RATE_DSR_BASELINE, rel=1e-9)
    ev = RATE_EV.copy()
    ev[ev == ev.max()] = 5
    den = derived_denominator(ev, RATE_RATE, multiplier=1e5, rate_type="crude")
    assert funnel_benchmark(ev, den, 1e5) == pytest.approx(RATE_CRUDE_BASELINE, rel=1e-9)


def _v(mu, events):
    """The quantity poisson_funnel() bisects on [PHE-UTIL]: v = mu / (1 + O + mu)."""
    return mu / (1.0 + events + mu)


@pytest.mark.parametrize(
    "points, baseline", [(RATE_DSR_POINTS, RATE_DSR_BASELINE), (RATE_CRUDE_POINTS, RATE_CRUDE_BASELINE)]
)
def test_rate_funnel_points_match_phe(points, baseline):
    ev = np.array([p[0] for p in points], dtype=float)
    b = baseline / 1e5
    for conf, (c_lpop, c_llim, c_upop, c_ulim) in ((0.95, (1, 2, 3, 4)), (0.998, (5, 6, 7, 8))):
        got = rate_funnel_points(ev, baseline, conf, multiplier=1e5, years_of_data=3)
        # The package finds the expected counts mu by bisection on v = mu/(1+O+mu)
        # stopping once the step is below 1e-7 [PHE-UTIL]; so its populations
        # (mu / baseline / years) and limits (O / population) are exact up to
        # |dv| < 1e-7.  Compare on that scale (relative errors reach 5e-5 for
        # tiny mu, e.g. the 99.8% upper point at O = 1).
        for key_pop, key_lim, col_pop, col_lim in (
            ("lower_population", "lower_limit", c_lpop, c_llim),
            ("upper_population", "upper_limit", c_upop, c_ulim),
        ):
            pub_pop = np.array([p[col_pop] for p in points])
            pub_lim = np.array([p[col_lim] for p in points])
            mu_pub_from_pop = pub_pop * 3 * b
            mu_pub_from_lim = ev / pub_lim * 1e5 * b
            mu_got = got[key_pop] * 3 * b
            assert np.all(np.abs(_v(mu_got, ev) - _v(mu_pub_from_pop, ev)) < 1e-7)
            assert np.all(np.abs(_v(mu_got, ev) - _v(mu_pub_from_lim, ev)) < 1e-7)
            # And well within 1e-4 relative anyway.
            np.testing.assert_allclose(got[key_pop], pub_pop, rtol=1e-4)
            np.testing.assert_allclose(got[key_lim], pub_lim, rtol=1e-4)


# ---------------------------------------------------------------------------
# Rates: limits at given denominators


@pytest.mark.parametrize("conf", [0.95, 0.998])
def test_rate_limits_by_denominator_agree_with_points(conf):
    # Independent routes to the same curve: root-finding in the count at given
    # denominators vs the closed-form points tabulated by count.
    events = np.array([1.0, 2, 5, 9, 10, 11, 20, 94, 1360, 25000])
    pts = rate_funnel_points(events, RATE_DSR_BASELINE, conf, multiplier=1e5)
    lower, _ = rate_funnel_limits(pts["lower_population"], RATE_DSR_BASELINE, conf, multiplier=1e5)
    _, upper = rate_funnel_limits(pts["upper_population"], RATE_DSR_BASELINE, conf, multiplier=1e5)
    np.testing.assert_allclose(lower, pts["lower_limit"], rtol=1e-10)
    np.testing.assert_allclose(upper, pts["upper_limit"], rtol=1e-10)


def test_rate_limits_at_phe_populations():
    # [PHE-FUN] outputs: at the package's populations our limits are the
    # package's limits (to its bisection accuracy, see above).
    for row in RATE_DSR_POINTS:
        for conf, cols in ((0.95, (1, 2, 3, 4)), (0.998, (5, 6, 7, 8))):
            lower, _ = rate_funnel_limits(row[cols[0]] * 3, RATE_DSR_BASELINE, conf, multiplier=1e5)
            _, upper = rate_funnel_limits(row[cols[2]] * 3, RATE_DSR_BASELINE, conf, multiplier=1e5)
            assert lower == pytest.approx(row[cols[1]], rel=1e-4)
            assert upper == pytest.approx(row[cols[3]], rel=1e-4)


def test_rate_lower_limit_is_zero_below_closed_form_threshold():
    # With O = 0 the exact upper count limit is -ln(alpha/2) (Garwood), so the
    # lower control limit is 0 until the expected count exceeds it.
    threshold = -math.log(0.025)  # 3.6888...
    lower, upper = rate_funnel_limits([threshold * 0.99, threshold * 1.01], 1.0, 0.95)
    assert lower[0] == 0.0 and lower[1] > 0.0
    assert np.all(upper > 1.0)


def test_rate_limit_methods_and_edge_cases():
    den = np.array([50.0, 1e3, 1e5, 1e7])
    exact = np.array(rate_funnel_limits(den, 0.01, 0.95, method="exact"))
    byar = np.array(rate_funnel_limits(den, 0.01, 0.95, method="byar"))
    mixed = np.array(rate_funnel_limits(den, 0.01, 0.95, method="mixed"))
    # Expected counts 0.5, 10, 1000, 100000: the limits narrow towards the benchmark.
    assert np.all(exact[0] < 0.01) and np.all(exact[1] > 0.01)
    assert np.all(np.diff(exact[1]) < 0) and np.all(np.diff(exact[0][1:]) > 0)
    # [PHE-TG]: Byar's within 0.2% of exact once the counts involved are >= 10.
    np.testing.assert_allclose(byar[:, 2:], exact[:, 2:], rtol=0.002)
    # "mixed" is exact where the solving count is below 10 and Byar's above.
    np.testing.assert_allclose(mixed[1, 0], exact[1, 0], rtol=1e-10)  # upper count ~3 at E = 0.5
    np.testing.assert_allclose(mixed[:, 3], byar[:, 3], rtol=1e-10)
    # Zero/NaN denominators give NaN; a zero benchmark gives zero limits.
    lo, hi = rate_funnel_limits([0, np.nan, 100], 5, multiplier=1000)
    assert np.isnan(lo[:2]).all() and np.isnan(hi[:2]).all()
    lo, hi = rate_funnel_limits(100, 0.0)
    assert lo == 0 and hi == 0
    with pytest.raises(ValueError):
        rate_funnel_limits(100, 5, method="wald")
    with pytest.raises(ValueError):
        rate_funnel_limits(100, -5)


# ---------------------------------------------------------------------------
# Rates: significance


def _phe(labels):
    return [PHE_LABELS[x] for x in labels]


@pytest.mark.parametrize("multiplier, col", [(1e5, 4), (100, 5)])
def test_rate_significance_dsr_matches_phe(multiplier, col):
    # assign_funnel_significance(count, pop, rate_dsr, statistic = "rate",
    # rate_type = "dsr", multiplier): denominator = multiplier*count/dsr (NA
    # for zero events), DSRs with fewer than 10 events "not applicable".
    # testFunnels.R passes the same rate_dsr column with multiplier 1e5 and 100.
    den = derived_denominator(SIG_COUNT, SIG_DSR, multiplier, rate_type="dsr")
    got = rate_funnel_significance(SIG_COUNT, den, multiplier=multiplier, min_events=10)
    assert _phe(got) == [SIG_LABELS[r[col]] for r in RATE_SIG]
    # without the zero-event row
    keep = SIG_COUNT > 0
    got = rate_funnel_significance(SIG_COUNT[keep], den[keep], multiplier=multiplier, min_events=10)
    assert _phe(got) == [SIG_LABELS[r[8]] for r in RATE_SIG if r[0] > 0]


@pytest.mark.parametrize("multiplier, col", [(1e5, 6), (100, 7)])
def test_rate_significance_crude_matches_phe(multiplier, col):
    # testFunnels.R uses rate_crude_per_100 with multiplier 100; that column is
    # rate_crude_per_100000 / 1000 (to 10 significant figures).
    rate = SIG_CRUDE * (multiplier / 1e5)
    den = derived_denominator(SIG_COUNT, rate, multiplier, denominator=SIG_POP, rate_type="crude")
    got = rate_funnel_significance(SIG_COUNT, den, multiplier=multiplier)
    assert _phe(got) == [SIG_LABELS[r[col]] for r in RATE_SIG]
    # The published crude rates are count/pop to 10 significant figures, so the
    # populations themselves give the same answer.
    by_population = rate_funnel_significance(SIG_COUNT, SIG_POP, multiplier=multiplier)
    assert _phe(by_population) == [SIG_LABELS[r[col]] for r in RATE_SIG]
    keep = SIG_COUNT > 0
    got = rate_funnel_significance(SIG_COUNT[keep], SIG_POP[keep], multiplier=multiplier)
    assert _phe(got) == [SIG_LABELS[r[9]] for r in RATE_SIG if r[0] > 0]


def test_rate_significance_equals_classifying_against_mixed_limits():
    # Comparing the benchmark with each area's interval (the package's way) is
    # the same as comparing each area's rate with the funnel curves computed
    # with the same count interval (exact < 10, Byar's >= 10).
    bench = funnel_benchmark(SIG_COUNT, SIG_POP, 1e5)
    rate = crude_rate(SIG_COUNT, SIG_POP, 1e5)
    l95, u95 = rate_funnel_limits(SIG_POP, bench, 0.95, multiplier=1e5, method="mixed")
    l998, u998 = rate_funnel_limits(SIG_POP, bench, 0.998, multiplier=1e5, method="mixed")
    via_limits = classify_against_limits(rate, l95, u95, l998, u998)
    direct = rate_funnel_significance(SIG_COUNT, SIG_POP, multiplier=1e5)
    assert via_limits.tolist() == direct.tolist()


def test_rate_significance_small_counts_and_errors():
    # 3 events in 100 person-years against a benchmark of 0.5 per person-year
    # (expected 50): exact upper 99.8% limit for O = 3 is 11.23 events, far
    # below 50 -> below 99.8%.  9 events vs benchmark 0.09 (expected 9) -> within.
    got = rate_funnel_significance([3, 9, np.nan], [100, 100, 100], benchmark_rate=0.5)
    assert got.tolist() == [BELOW_998, BELOW_998, None]
    got = rate_funnel_significance([9], [100], benchmark_rate=0.09)
    assert got.tolist() == [WITHIN]
    with pytest.raises(ValueError):
        rate_funnel_significance([-1], [100], benchmark_rate=1)
    with pytest.raises(ValueError):
        rate_funnel_significance([1], [0], benchmark_rate=1)
    with pytest.raises(ValueError, match="numerators must be provided"):
        funnel_benchmark([1, np.nan], [10, 10])


# ---------------------------------------------------------------------------
# classify_against_limits


def test_classify_against_limits_cases():
    l95, u95, l998, u998 = 8.0, 12.0, 6.0, 14.0
    values = [15, 14, 13, 12, 10, 8, 7, 6, 5, np.nan]
    got = classify_against_limits(values, l95, u95, l998, u998)
    assert got.dtype == object
    assert got.tolist() == [
        ABOVE_998,
        ABOVE_95,  # on the 99.8% limit: not beyond it
        ABOVE_95,
        WITHIN,  # on the 95% limit
        WITHIN,
        WITHIN,
        BELOW_95,
        BELOW_95,
        BELOW_998,
        None,
    ]
    assert classify_against_limits(10, np.nan, 12, 6, 14).item() is None
    assert set(PHE_LABELS) >= {ABOVE_998, ABOVE_95, WITHIN, BELOW_95, BELOW_998}
