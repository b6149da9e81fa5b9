"""Tests for transforms.stats.funnels against published PHEindicatormethods outputs.

Reference values, cited next to each table:

[PHE-FUN]  ukhsa-collaboration/PHEindicatormethods, tests/testthat/ at HEAD
           093fd288d8f8949dbcfbed70049dbbf385b6141d (2024-12-13); the expected
           outputs of calculate_funnel_limits() and assign_funnel_significance()
           used by tests/testthat/testFunnels.R:
           - testdata_funnel_prop_inputs.csv, testdata_funnel_prop_outputs.csv and
             testdata_funnel_prop_outputs_with_axis_variation.csv (last changed in
             commit 3352ce5d861197880cae0ccb329a0ce50424bfda, 2021-06-24);
           - testdata_funnel_rate_input_funnels.csv (39d5df1f793223db24173db8971ba3c2f834b8d8),
             testdata_funnel_rate_outputs.csv and testdata_funnel_rate_outputs_2.csv
             (a3c822fe3cad2ca2a93cad5b2727f8b0c1627b64, 2022-06-28);
           - testdata_funnel_rate_dsr_inputs.csv (5adcb8c43562e1a897d509350306a5fed2514480).
           The numbers are copied from the CSV files as published (they were
           produced by R, not by this code base).
[PHE-UTIL] same repository and commit, R/utils.R: sigma_adjustment() (the
           package's closed form for the proportion limits) and
           poisson_funnel() (bisection on v = mu/(1+O+mu) until the step is
           below 1e-7).
[PHE-TG]   PHE, "Technical Guide: Confidence Intervals" (2018): Byar's method is
           within 0.2% of the exact value for 95% limits and counts >= 10.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.stats import norm

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

# [PHE-FUN] testdata_funnel_prop_outputs.csv (statistic "proportion",
# multiplier 100, all 303 areas of testdata_funnel_prop_inputs.csv), CSV rows
# 2, 3, 4, 11, 32, 52, 72, 101.  Baseline (the pooled proportion) 80.642448.
# Columns: Population, Lower2s0025limit, Upper2s0025limit, Lower3s0001limit, Upper3s0001limit
PROP_BASELINE = 80.642448
PROP_LIMITS = [
    (1, 3.204264, 100, 0, 100),
    (2, 25.885383, 100, 0, 100),
    (3, 35.933491, 100, 10.150815, 100),
    (10, 56.154344, 100, 42.03259, 100),
    (83, 72.142503, 89.142393, 67.240771, 94.044125),
    (664, 77.637263, 83.647632, 75.904239, 85.380656),
    (5348, 79.583537, 81.701359, 78.972886, 82.31201),
    (110000, 80.408963, 80.875933, 80.274317, 81.010578),
]

# [PHE-FUN] testdata_funnel_prop_outputs_with_axis_variation.csv (the 97 areas
# with denominator < 31000), CSV rows 2, 3, 51, 101; baseline 82.18033788.
PROP_AXIS_BASELINE = 82.18033788
PROP_AXIS_LIMITS = [
    (10000, 81.43030244, 82.93037332, 80.99777342, 83.36290233),
    (10121, 81.43479938, 82.92587637, 81.00486365, 83.3558121),
    (18055, 81.62214661, 82.73852914, 81.30024992, 83.06042583),
    (33000, 81.76745696, 82.5932188, 81.52935757, 82.83131819),
]


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
        for n, h in zip(pops, hi):
            if h < 100:
                assert _wilson_lower(h / 100 * n, n, z) == pytest.approx(p, rel=1e-9)


# [PHE-FUN] testdata_funnel_prop_inputs.csv: Area, numerator, denominator and
# the package's significance (CSV row numbers in the comments).  Compared with
# the published baseline 80.642448 of all 303 areas.
PROP_AREAS = [
    ("New Forest PCT", 35078.4880000, 41980, "High (0.001)"),  # 2
    ("Norwich PCT", 24803.6256000, 31824, "Low (0.001)"),  # 3
    ("South Gloucestershire PCT", 50050.7443000, 61921, "Not significant"),  # 4
    ("Havering PCT", 48686.4364000, 59804, "High (0.001)"),  # 5
    ("Kingston PCT", 35795.6324000, 45449, "Low (0.001)"),  # 6
    ("Bromley PCT", 66969.6742000, 80002, "High (0.001)"),  # 7
    ("Greenwich PCT", 48514.4460000, 64755, "Low (0.001)"),  # 8
    ("Barnet PCT", 70670.2858000, 93122, "Low (0.001)"),  # 9
    ("Central Derby PCT", 24648.7596000, 30521, "Not significant"),  # 17
    ("North East Lincolnshire PCT", 31759.3850000, 39350, "Not significant"),  # 19
    ("Blackburn with Darwen PCT", 29561.6517000, 36627, "Not significant"),  # 29
    ("West Norfolk PCT", 26789.2380000, 33012, "High (0.025)"),  # 44
    ("North Tees PCT", 36850.0492000, 45449, "High (0.025)"),  # 72
    ("Mid-Hampshire PCT", 34502.0685000, 42485, "High (0.025)"),  # 80
    ("Sheffield West PCT", 23910.2469000, 29457, "High (0.025)"),  # 92
    ("North Devon PCT", 30277.5312000, 37828, "Low (0.025)"),  # 121 (the only one)
    ("East Devon PCT", 21139.2936000, 25992, "High (0.025)"),  # 123
    ("South East Hertfordshire PCT", 38045.3716000, 46958, "High (0.025)"),  # 143
    ("Royston, Buntingford and Bishop's Stortford PCT", 16924.1296000, 20776, "High (0.025)"),  # 144
    ("North Norfolk PCT", 18504.9982000, 22739, "High (0.025)"),  # 203
    ("South Tyneside PCT", 29709.0543000, 36583, "High (0.025)"),  # 227
    ("Witham, Braintree and Halstead Care Trust", 28537.4507000, 35201, "High (0.025)"),  # 302
]


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

# [PHE-FUN] testdata_funnel_rate_input_funnels.csv, columns ev, rate (all 50 rows).
RATE_INPUTS = [
    (414, 184), (462, 102), (178, 83), (525, 118), (194, 121), (937, 125), (817, 112), (117, 190),
    (298, 146), (228, 140), (243, 87), (13, 70), (373, 90), (664, 139), (601, 109), (602, 65),
    (767, 165), (708, 143), (90, 55), (952, 135), (347, 135), (648, 88), (988, 167), (354, 99),
    (839, 83), (25, 53), (518, 62), (425, 118), (648, 176), (765, 101), (210, 71), (931, 138),
    (589, 74), (592, 84), (554, 161), (870, 79), (372, 189), (843, 170), (142, 159), (543, 113),
    (489, 191), (620, 116), (774, 200), (904, 171), (936, 128), (841, 134), (22, 185), (922, 100),
    (955, 123), (308, 155),
]
RATE_EV = np.array([r[0] for r in RATE_INPUTS], dtype=float)
RATE_RATE = np.array([r[1] for r in RATE_INPUTS], dtype=float)

# [PHE-FUN] testdata_funnel_rate_outputs.csv: calculate_funnel_limits(ev, rate,
# multiplier = 1e5, statistic = "rate", rate_type = "dsr", years_of_data = 3)
# on RATE_INPUTS; baseline 116.1720835.  CSV rows 2, 3, 6, 11, 12, 21, 51, 101.
# Columns: Events, lower_2s_population_1_year, lower_2s_limit,
# upper_2s_population_1_year, upper_2s_limit, lower_3s_population_1_year,
# lower_3s_limit, upper_3s_population_1_year, upper_3s_limit
RATE_DSR_BASELINE = 116.1720835
RATE_DSR_POINTS = [
    (1, 1598.675694, 20.85059119, 7.264481402, 4588.535848, 2649.348525, 12.58170943, 0.287087625, 116108.569),
    (2, 2072.984403, 32.15975314, 69.49732367, 959.2695538, 3221.906682, 20.69168143, 13.02722321, 5117.48863),
    (5, 3348.002593, 49.78092521, 465.8280129, 357.7858395, 4721.370883, 35.30048174, 212.14848, 785.6132963),
    (10, 5276.757672, 63.17010446, 1375.943768, 242.2579623, 6924.776769, 48.13632908, 849.4639547, 392.4043292),
    (11, 5647.380657, 64.92685529, 1575.582188, 232.7182102, 7342.35451, 49.93856755, 1001.813699, 366.0028477),
    (20, 8862.823734, 75.22057153, 3505.293872, 190.1885237, 10915.38389, 61.07587907, 2570.385518, 259.3644657),
    (94, 33006.2688, 94.93146143, 21795.70245, 143.7592268, 36723.73682, 85.32174568, 19184.7108, 163.3245018),
    (1360, 411529.9259, 110.158048, 369759.5622, 122.6021934, 424043.2424, 106.9073359, 358342.3275, 126.5084525),
]

# [PHE-FUN] testdata_funnel_rate_outputs_2.csv: the same inputs with the largest
# ev (988) set to 5, rate_type = "crude"; baseline 114.8591735.  Same rows.
RATE_CRUDE_BASELINE = 114.8591735
RATE_CRUDE_POINTS = [
    (1, 1616.949526, 20.61494982, 7.347518827, 4536.678859, 2679.632184, 12.4395182, 0.290369211, 114796.3768),
    (2, 2096.679871, 31.79630214, 70.2917202, 948.4284419, 3258.735028, 20.45783597, 13.17613227, 5059.653722),
    (5, 3386.272291, 49.21832987, 471.1527094, 353.7423501, 4775.339014, 34.90153604, 214.5734657, 776.7347474),
    (10, 5337.07421, 62.45619233, 1391.671639, 239.5201023, 7003.931164, 47.59232002, 859.1738425, 387.9696015),
    (11, 5711.93364, 64.19308938, 1593.592047, 230.088163, 7426.282072, 49.37419062, 1013.265037, 361.8664943),
    (20, 8964.13118, 74.37047197, 3545.361505, 188.0391226, 11040.15335, 60.38563467, 2599.766582, 256.433278),
    (94, 33383.55045, 93.85860074, 22044.84054, 142.1345429, 37143.51139, 84.35748846, 19404.00367, 161.4787024),
    (1344, 411466.9163, 108.8787415, 369466.4508, 121.2559352, 424051.9679, 105.6474286, 357990.2328, 125.143079),
]


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


@pytest.mark.parametrize("points, baseline", [(RATE_DSR_POINTS, RATE_DSR_BASELINE), (RATE_CRUDE_POINTS, RATE_CRUDE_BASELINE)])
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

# [PHE-FUN] testdata_funnel_rate_dsr_inputs.csv, all 40 rows: count, rate_dsr,
# pop, rate_crude_per_100000, and the expected significance in columns
# dsr_per_100000_with_0 (D), dsr_per_100_with_0 (d), crude_per_100000_with_0 (C),
# crude_per_100_with_0 (c), dsr_per_100000_without_0, crude_per_100000_without_0
# (the last two for the rows with count > 0).  Labels abbreviated:
# H3 = "High (0.001)", H2 = "High (0.025)", N = "Not significant",
# L2 = "Low (0.025)", L3 = "Low (0.001)", NA = "Not applicable for events less than 10 for dsrs".
_AB = {"H3": "High (0.001)", "H2": "High (0.025)", "N": "Not significant", "L2": "Low (0.025)",
       "L3": "Low (0.001)", "NA": "Not applicable for events less than 10 for dsrs"}
# count, rate_dsr, pop, rate_crude_per_100000, D, d, C, c, dsr_without_0, crude_without_0
RATE_SIG = [
    (2419, 907.6174266, 264102, 915.9339952, "H3", "H3", "H3", "H3", "H3", "H3"),
    (2337, 948.5620216, 259711, 899.8463677, "H3", "H3", "H3", "H3", "H3", "H3"),
    (2291, 799.9690496, 289247, 792.056616, "H3", "H3", "H3", "H3", "H3", "H3"),
    (2242, 852.5637927, 265029, 845.9451607, "H3", "H3", "H3", "H3", "H3", "H3"),
    (2218, 868.5358183, 284649, 779.2052668, "H3", "H3", "H3", "H3", "H3", "H3"),
    (2159, 769.6242217, 293578, 735.409329, "H3", "H3", "H3", "H3", "H3", "H3"),
    (2130, 752.3254955, 286718, 742.8902266, "H2", "H2", "H3", "H3", "H2", "H3"),
    (2111, 710.2689402, 307381, 686.7698394, "N", "N", "N", "N", "N", "N"),
    (2105, 815.3530325, 274145, 767.8418355, "H3", "H3", "H3", "H3", "H3", "H3"),
    (2083, 717.7035916, 297424, 700.3469794, "N", "N", "H2", "H2", "N", "N"),
    (2078, 755.8016993, 272628, 762.2107781, "H3", "H3", "H3", "H3", "H3", "H3"),
    (2062, 825.9742848, 269656, 764.6779601, "H3", "H3", "H3", "H3", "H3", "H3"),
    (2061, 702.2972468, 294692, 699.3742619, "N", "N", "H2", "H2", "N", "N"),
    (2033, 785.6210132, 277710, 732.0586223, "H3", "H3", "H3", "H3", "H3", "H2"),
    (2033, 743.6763018, 259213, 784.2970839, "H2", "H2", "H3", "H3", "H2", "H3"),
    (2010, 781.8323058, 285516, 703.9885681, "H3", "H3", "H2", "H2", "H3", "N"),
    (2004, 772.6781064, 269449, 743.7400027, "H3", "H3", "H3", "H3", "H3", "H3"),
    (2002, 652.3391553, 290888, 688.2373972, "L3", "L3", "N", "N", "L3", "N"),
    (1977, 648.4969973, 287112, 688.5814595, "L3", "L3", "N", "N", "L3", "N"),
    (1944, 727.5777428, 286492, 678.5529788, "N", "N", "N", "N", "N", "N"),
    (1932, 625.6551186, 287012, 673.1425864, "L3", "L3", "N", "N", "L3", "N"),
    (1922, 688.5582424, 291277, 659.8529922, "N", "N", "N", "N", "N", "N"),
    (1912, 662.4465438, 289859, 659.631062, "L2", "L2", "N", "N", "L2", "N"),
    (1881, 627.1624732, 289653, 649.3977276, "L3", "L3", "N", "N", "L3", "L2"),
    (1844, 657.1114147, 282519, 652.6994645, "L2", "L2", "N", "N", "L2", "L2"),
    (1835, 724.8456714, 274220, 669.1707388, "N", "N", "N", "N", "N", "N"),
    (1833, 659.7820553, 280271, 654.009869, "L2", "L2", "N", "N", "L2", "L2"),
    (1825, 654.7053631, 284206, 642.1398563, "L3", "L3", "N", "N", "L3", "L2"),
    (1816, 624.4435507, 274508, 661.5472045, "L3", "L3", "N", "N", "L3", "N"),
    (1809, 646.7588823, 288384, 627.2886152, "L3", "L3", "L2", "L2", "L3", "L3"),
    (1798, 703.1689982, 287072, 626.3237097, "N", "N", "L2", "L2", "N", "L3"),
    (1754, 567.9922764, 282744, 620.3491498, "L3", "L3", "L3", "L3", "L3", "L3"),
    (1746, 617.7750715, 289208, 603.7177395, "L3", "L3", "L3", "L3", "L3", "L3"),
    (1709, 610.8327232, 287736, 593.9472294, "L3", "L3", "L3", "L3", "L3", "L3"),
    (1694, 608.5089462, 296175, 571.9591458, "L3", "L3", "L3", "L3", "L3", "L3"),
    (1688, 662.3775859, 303255, 556.6272609, "L2", "L2", "L3", "L3", "L2", "L3"),
    (1649, 667.6454503, 285959, 576.6560941, "L2", "L2", "L3", "L3", "L2", "L3"),
    (1553, 604.1141693, 274661, 565.4242867, "L3", "L3", "L3", "L3", "L3", "L3"),
    (1332, 469.5645784, 281425, 473.3054988, "L3", "L3", "L3", "L3", "L3", "L3"),
    (0, np.nan, 297820, 0, "NA", "NA", "L3", "L3", None, None),
]
SIG_COUNT = np.array([r[0] for r in RATE_SIG], dtype=float)
SIG_DSR = np.array([r[1] for r in RATE_SIG])
SIG_POP = np.array([r[2] for r in RATE_SIG], dtype=float)
SIG_CRUDE = np.array([r[3] for r in RATE_SIG])


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
    assert _phe(got) == [_AB[r[col]] for r in RATE_SIG]
    # without the zero-event row
    keep = SIG_COUNT > 0
    got = rate_funnel_significance(SIG_COUNT[keep], den[keep], multiplier=multiplier, min_events=10)
    assert _phe(got) == [_AB[r[8]] for r in RATE_SIG if r[0] > 0]


@pytest.mark.parametrize("multiplier, col", [(1e5, 6), (100, 7)])
def test_rate_significance_crude_matches_phe(multiplier, col):
    # testFunnels.R uses rate_crude_per_100 with multiplier 100; that column is
    # rate_crude_per_100000 / 1000 (to 10 significant figures).
    rate = SIG_CRUDE * (multiplier / 1e5)
    den = derived_denominator(SIG_COUNT, rate, multiplier, denominator=SIG_POP, rate_type="crude")
    got = rate_funnel_significance(SIG_COUNT, den, multiplier=multiplier)
    assert _phe(got) == [_AB[r[col]] for r in RATE_SIG]
    # The published crude rates are count/pop to 10 significant figures, so the
    # populations themselves give the same answer.
    assert _phe(rate_funnel_significance(SIG_COUNT, SIG_POP, multiplier=multiplier)) == [_AB[r[col]] for r in RATE_SIG]
    keep = SIG_COUNT > 0
    got = rate_funnel_significance(SIG_COUNT[keep], SIG_POP[keep], multiplier=multiplier)
    assert _phe(got) == [_AB[r[9]] for r in RATE_SIG if r[0] > 0]


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
