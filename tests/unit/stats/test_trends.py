"""Tests for transforms.stats.trends: the GLM fitter, the tests of trend and the direction.

Reference values: [DOBSON], [ANOREXIA], [ADMIT] and [BERNOULLI] of
tests/unit/stats/reference_values/trends.py, cited there (R's ``glm`` output
and the full-precision values of the JuliaStats/GLM.jl tests).  The planted
and flat series are simulations with fixed seeds.
"""

from __future__ import annotations

import numpy as np
import pytest
import scipy.stats
from scipy.special import expit, logit
from scipy.stats import chi2, norm

from tests.unit.stats.reference_values import trends as ref
from transforms.stats.trends import (
    ALL_EVENTS,
    DIRECTIONS,
    END_PERIOD_ONLY,
    MIN_PERIODS,
    NO_EVENTS,
    SAME_TIME,
    SEPARATED,
    TOO_FEW,
    binomial_trend,
    glm_fit,
    poisson_trend,
    trend_direction,
)


def _dummies(levels) -> np.ndarray:
    """Treatment-coded columns (against the first level) of a factor."""
    levels = np.asarray(levels)
    return np.column_stack([levels == lv for lv in np.unique(levels)[1:]]).astype(float)


def _dobson_matrix(outcome=True, treatment=True) -> np.ndarray:
    cols = [np.ones(9)]
    if outcome:
        cols.append(_dummies(ref.DOBSON_OUTCOME))
    if treatment:
        cols.append(_dummies(ref.DOBSON_TREATMENT))
    return np.column_stack(cols)


# ---------------------------------------------------------------------------
# The fitter against published fits


def test_dobson_poisson_reproduces_r_summary_and_full_precision_values():
    fit = glm_fit(ref.DOBSON_COUNTS, _dobson_matrix(), "poisson")
    assert fit.converged and fit.reason is None
    # R's summary(glm.D93), printed to 4 significant digits: within half a unit of the last digit.
    assert fit.coef[0] == pytest.approx(ref.DOBSON_R_COEF[0], abs=5e-4)
    assert fit.coef[1:3] == pytest.approx(ref.DOBSON_R_COEF[1:3], abs=5e-5)
    assert np.all(np.abs(fit.coef[3:]) < 1e-10)  # R prints ~1e-16: the treatment totals are equal
    assert fit.se == pytest.approx(ref.DOBSON_R_SE, abs=5e-5)
    z = fit.coef[1] / fit.se[1]
    assert z == pytest.approx(ref.DOBSON_R_Z_OUTCOME2, abs=5e-4)
    assert 2 * norm.sf(abs(z)) == pytest.approx(ref.DOBSON_R_P_OUTCOME2, abs=5e-5)
    assert fit.iterations == ref.DOBSON_R_ITERATIONS
    # GLM.jl's full-precision values.
    assert fit.coef[:3] == pytest.approx(ref.DOBSON_COEF_3, rel=1e-10)
    assert fit.deviance == pytest.approx(ref.DOBSON_DEVIANCE, rel=1e-10)
    null = glm_fit(ref.DOBSON_COUNTS, _dobson_matrix(False, False), "poisson")
    assert null.deviance == pytest.approx(ref.DOBSON_NULL_DEVIANCE, rel=1e-10)
    outcome_only = glm_fit(ref.DOBSON_COUNTS, _dobson_matrix(True, False), "poisson")
    assert null.deviance - outcome_only.deviance == pytest.approx(ref.DOBSON_R_OUTCOME_DEVIANCE, abs=5e-5)
    # The model is the independence model of a 3 x 3 table, whose standard errors have a closed form:
    # outcome totals 63, 40, 47 and treatment totals 50, 50, 50.
    assert fit.se[1:] == pytest.approx(np.sqrt([1 / 63 + 1 / 40, 1 / 63 + 1 / 47, 2 / 50, 2 / 50]), rel=1e-10)


def test_anorexia_poisson_with_offset_reproduces_published_fit():
    treat = np.array([row[0] for row in ref.ANOREXIA])
    prewt = np.array([row[1] for row in ref.ANOREXIA], dtype=float)
    counts = np.round(np.array([row[2] for row in ref.ANOREXIA], dtype=float))  # halves to even, as Julia
    X = np.column_stack([np.ones(prewt.size), prewt, _dummies(treat)])  # CBT is the first level
    fit = glm_fit(counts, X, "poisson", offset=np.log(prewt))
    assert fit.reason is None
    assert fit.coef == pytest.approx(ref.ANOREXIA_COEF, abs=1e-8)  # published to 8-9 decimals
    # The published standard errors use the working weights of GLM.jl's last iteration, evaluated at
    # the previous estimate (so does R's summary.glm); ours are at the converged estimate.  On these
    # data the two differ by 3e-6 relative (checked by hand: the weights one iteration earlier give
    # the published values to 7 digits), hence the tolerance.
    assert fit.se == pytest.approx(ref.ANOREXIA_SE, rel=1e-5)
    assert fit.deviance == pytest.approx(ref.ANOREXIA_DEVIANCE, rel=1e-10)
    null = glm_fit(counts, np.ones((prewt.size, 1)), "poisson", offset=np.log(prewt))
    assert null.deviance == pytest.approx(ref.ANOREXIA_NULL_DEVIANCE, rel=1e-10)


def test_admit_grouped_binomial_reproduces_published_fit():
    X = np.column_stack([np.ones(4), np.eye(4)[:, 1:]])  # rank a factor, against rank 1
    fit = glm_fit(ref.ADMIT_ADMITTED, X, "binomial", trials=ref.ADMIT_APPLICANTS)
    assert fit.reason is None
    assert fit.coef == pytest.approx(ref.ADMIT_COEF, rel=1e-10)
    assert abs(fit.deviance) < 1e-10  # saturated
    null = glm_fit(ref.ADMIT_ADMITTED, np.ones((4, 1)), "binomial", trials=ref.ADMIT_APPLICANTS)
    assert null.deviance == pytest.approx(ref.ADMIT_NULL_DEVIANCE, rel=1e-10)


def test_bernoulli_logistic_trend_reproduces_r_predictions_and_standard_errors():
    x = np.linspace(0, 1, 50)
    fit = glm_fit(ref.BERNOULLI_Y, np.column_stack([np.ones(50), x]), "binomial", trials=np.ones(50))
    new = np.column_stack([np.ones(5), ref.BERNOULLI_NEW_X])
    p = expit(new @ fit.coef)
    se = np.sqrt(np.einsum("ij,jk,ik->i", new, fit.cov, new)) * p * (1 - p)  # delta method, as R's predict
    # R stops at its deviance criterion 1e-8, which leaves its estimates about 1e-7 from the limit.
    assert p == pytest.approx(ref.BERNOULLI_R_PREDICTION, abs=1e-7)
    assert se == pytest.approx(ref.BERNOULLI_R_SE, rel=1e-6)
    # The trend function fits the same model: its slope is R's, from the fitted values at x = 0 and 1.
    trend = binomial_trend(ref.BERNOULLI_Y, np.ones(50), times=x)
    r_slope = logit(ref.BERNOULLI_R_PREDICTION[-1]) - logit(ref.BERNOULLI_R_PREDICTION[0])
    assert trend.slope == pytest.approx(fit.coef[1], rel=1e-12)
    assert trend.slope == pytest.approx(r_slope, abs=1e-5)
    assert trend.slope_se == pytest.approx(fit.se[1], rel=1e-12)
    assert trend.n_periods == 50


def test_glm_fit_rejects_bad_input():
    with pytest.raises(ValueError, match="family"):
        glm_fit([1, 2], np.ones((2, 1)), "gamma")
    with pytest.raises(ValueError, match="greater than or equal to zero"):
        glm_fit([-1, 2], np.ones((2, 1)), "poisson")
    with pytest.raises(ValueError, match="exceed"):
        glm_fit([3, 2], np.ones((2, 1)), "binomial", trials=[2, 2])
    with pytest.raises(ValueError, match="positive"):
        glm_fit([0, 2], np.ones((2, 1)), "binomial", trials=[0, 2])


def test_glm_fit_reports_fits_on_the_boundary_and_non_convergence():
    # Separated binary data: R warns "fitted probabilities numerically 0 or 1".
    fit = glm_fit([0, 0, 0, 1, 1, 1], np.column_stack([np.ones(6), np.arange(6)]), "binomial", trials=np.ones(6))
    assert fit.reason is not None
    fit = glm_fit(ref.DOBSON_COUNTS, _dobson_matrix(), "poisson", max_iter=1)
    assert not fit.converged and fit.reason == "did not converge in 1 iterations"
    # All events in one period of three: the Poisson fitted rates of the others go to 0.
    fit = glm_fit([0, 0, 50], np.column_stack([np.ones(3), np.arange(3)]), "poisson")
    assert fit.reason is not None


# ---------------------------------------------------------------------------
# Tests of trend: planted trends


def test_poisson_trend_recovers_a_planted_slope_on_a_long_smooth_series():
    t = np.arange(40)
    denominators = np.full(40, 1e7)
    counts = np.round(denominators * 1e-3 * np.exp(0.02 * t))  # 10,000 events rising 2% a period
    res = poisson_trend(counts, denominators)
    assert res.reason is None and res.n_periods == 40
    assert res.slope == pytest.approx(0.02, rel=1e-3)
    assert res.ratio == pytest.approx(np.exp(0.02), rel=1e-4)
    assert res.ratio_lower < np.exp(0.02) < res.ratio_upper
    assert res.p_value < 1e-100 and res.p_value_lr < 1e-100
    assert res.dispersion < 0.01  # rounding only: far less than Poisson variation
    assert trend_direction(res.slope, res.p_value, "high is bad")[()] == "getting worse"


def test_binomial_trend_recovers_a_planted_slope_on_a_long_smooth_series():
    t = np.arange(40)
    denominators = np.full(40, 1e6)
    numerators = np.round(denominators * expit(0.5 - 0.03 * t))
    res = binomial_trend(numerators, denominators)
    assert res.reason is None
    assert res.slope == pytest.approx(-0.03, rel=1e-3)
    assert res.ratio == pytest.approx(np.exp(-0.03), rel=1e-4)
    assert res.p_value < 1e-100
    assert trend_direction(res.slope, res.p_value, "high is good")[()] == "getting worse"
    assert trend_direction(res.slope, res.p_value, "no judgement")[()] == "decreasing"


def test_planted_trends_over_five_noisy_periods_are_found_in_the_right_direction():
    rng = np.random.default_rng(20261204)
    t = np.arange(5)
    denominators = rng.integers(90_000, 110_000, size=5).astype(float)
    counts = rng.poisson(denominators * 0.01 * 0.9**t)  # 1000 events a period, falling 10% a period
    res = poisson_trend(counts, denominators)
    assert res.p_value < 1e-6 and res.p_value_lr < 1e-6
    assert res.ratio_upper < 1 and res.ratio == pytest.approx(0.9, abs=0.02)
    assert trend_direction(res.slope, res.p_value, "high is bad")[()] == "improving"
    assert trend_direction(res.slope, res.p_value, "no judgement")[()] == "decreasing"
    numerators = rng.binomial(2000, expit(-1 + 0.2 * t))  # about 27% rising to 45%
    res = binomial_trend(numerators, np.full(5, 2000))
    assert res.p_value < 1e-6 and res.ratio_lower > 1
    assert res.ratio == pytest.approx(np.exp(0.2), abs=0.05)
    assert trend_direction(res.slope, res.p_value, "high is good")[()] == "improving"
    assert trend_direction(res.slope, res.p_value, "no judgement")[()] == "increasing"


def test_times_set_the_unit_of_the_slope():
    counts, denominators = [120, 131, 150, 149, 170], [10_000, 10_100, 10_300, 10_200, 10_400]
    per_period = poisson_trend(counts, denominators)
    by_year = poisson_trend(counts, denominators, times=[2018, 2019, 2020, 2021, 2022])
    two_yearly = poisson_trend(counts, denominators, times=[0, 2, 4, 6, 8])
    assert by_year.slope == pytest.approx(per_period.slope, rel=1e-9)
    assert by_year.p_value == pytest.approx(per_period.p_value, rel=1e-9)
    assert two_yearly.slope == pytest.approx(per_period.slope / 2, rel=1e-9)
    assert two_yearly.p_value == pytest.approx(per_period.p_value, rel=1e-9)


def test_likelihood_ratio_p_value_is_the_drop_in_deviance():
    counts, denominators = np.array([120, 131, 150, 149, 170.0]), np.array([1e4, 1.01e4, 1.03e4, 1.02e4, 1.04e4])
    res = poisson_trend(counts, denominators)
    X = np.column_stack([np.ones(5), np.arange(5)])
    full = glm_fit(counts, X, "poisson", offset=np.log(denominators))
    null = glm_fit(counts, X[:, :1], "poisson", offset=np.log(denominators))
    assert res.p_value_lr == pytest.approx(chi2.sf(null.deviance - full.deviance, 1), rel=1e-9)
    assert res.p_value == pytest.approx(2 * norm.sf(abs(full.coef[1] / full.se[1])), rel=1e-9)
    wider = poisson_trend(counts, denominators, conf_level=0.998)
    assert wider.ratio_lower < res.ratio_lower < res.ratio < res.ratio_upper < wider.ratio_upper
    assert res.ratio_lower == pytest.approx(np.exp(full.coef[1] - norm.ppf(0.975) * full.se[1]), rel=1e-9)


# ---------------------------------------------------------------------------
# Flat series: the Wald test's rejection rate is its nominal 5%

#: 4000 simulated series: the rejection rate's binomial standard error under a true 5% is
#: sqrt(0.05 * 0.95 / 4000) = 0.0034; the tolerance 0.012 is 3.5 standard errors (a true-5%
#: test falls outside it with probability about 5e-4), and with 200-1000 events a period the
#: large-sample Wald test is accurate to well within it.
_FLAT_SERIES = 4000
_FLAT_TOLERANCE = 0.012


def test_flat_poisson_series_reject_at_the_nominal_rate():
    rng = np.random.default_rng(1)
    denominators = rng.integers(20_000, 100_000, size=(_FLAT_SERIES, 5)).astype(float)
    counts = rng.poisson(denominators * 0.01)
    results = [poisson_trend(c, d) for c, d in zip(counts, denominators, strict=True)]
    wald = np.array([r.p_value for r in results])
    lr = np.array([r.p_value_lr for r in results])
    assert np.mean(wald < 0.05) == pytest.approx(0.05, abs=_FLAT_TOLERANCE)
    assert np.mean(lr < 0.05) == pytest.approx(0.05, abs=_FLAT_TOLERANCE)
    labels = trend_direction([r.slope for r in results], wald, "high is bad")
    assert np.mean(labels == "no significant change") == pytest.approx(0.95, abs=_FLAT_TOLERANCE)


def test_quasi_p_value_holds_its_level_where_periods_vary_more_than_poisson():
    # Flat rates with 5% year-to-year variation (gamma) on counts of about 1,000: the
    # Poisson Wald test finds a "trend" far too often; the quasi-Poisson test, which
    # scales the standard error by the estimated dispersion, does not.
    rng = np.random.default_rng(2)
    denominators = np.full((_FLAT_SERIES, 5), 100_000.0)
    rates = 0.01 * rng.gamma(shape=400.0, scale=1 / 400.0, size=denominators.shape)
    counts = rng.poisson(denominators * rates)
    results = [poisson_trend(c, d) for c, d in zip(counts, denominators, strict=True)]
    wald = np.mean([r.p_value < 0.05 for r in results])
    quasi = np.mean([r.p_value_quasi < 0.05 for r in results])
    assert wald > 0.2
    assert quasi <= 0.05 + _FLAT_TOLERANCE
    for r in results[:50]:  # the definition: SE times sqrt(max(dispersion, 1)), t on periods - 2 df
        t_stat = abs(r.slope) / (r.slope_se * np.sqrt(max(r.dispersion, 1.0)))
        assert r.p_value_quasi == pytest.approx(2 * scipy.stats.t.sf(t_stat, r.n_periods - 2))
        assert r.p_value_quasi >= r.p_value


def test_flat_binomial_series_reject_at_the_nominal_rate():
    rng = np.random.default_rng(2)
    denominators = rng.integers(500, 3000, size=(_FLAT_SERIES, 5))
    numerators = rng.binomial(denominators, 0.3)
    wald = np.array([binomial_trend(y, n).p_value for y, n in zip(numerators, denominators, strict=True)])
    assert np.mean(wald < 0.05) == pytest.approx(0.05, abs=_FLAT_TOLERANCE)


# ---------------------------------------------------------------------------
# Edge cases


def _assert_no_trend(res, reason, n_periods):
    assert res.reason == reason and res.n_periods == n_periods
    assert all(np.isnan(v) for v in res[1:-1])


def test_too_few_periods():
    assert MIN_PERIODS == 3
    _assert_no_trend(poisson_trend([10, 12], [100, 100]), TOO_FEW, 2)
    _assert_no_trend(binomial_trend([], []), TOO_FEW, 0)
    # Periods with a missing numerator or a missing, zero or negative denominator are left out.
    _assert_no_trend(poisson_trend([10, np.nan, 12, 14, 3], [100, 100, 0, np.nan, -5]), TOO_FEW, 1)
    res = poisson_trend([10, None, 12, 14, 16], [100, 100, 0, 100, 100])
    assert res.reason is None and res.n_periods == 3
    full = poisson_trend([10, 14, 16], [100, 100, 100], times=[0, 3, 4])
    assert res.slope == pytest.approx(full.slope, rel=1e-12)  # the periods keep their times


def test_series_without_an_estimable_trend():
    _assert_no_trend(poisson_trend([0, 0, 0, 0, 0], [100] * 5), NO_EVENTS, 5)
    _assert_no_trend(binomial_trend([0, 0, 0, 0, 0], [100] * 5), NO_EVENTS, 5)
    _assert_no_trend(poisson_trend([0, 0, 0, 0, 7], [100] * 5), END_PERIOD_ONLY, 5)
    _assert_no_trend(poisson_trend([7, 0, 0, 0, 0], [100] * 5), END_PERIOD_ONLY, 5)
    _assert_no_trend(binomial_trend([50, 60, 70], [50, 60, 70]), ALL_EVENTS, 3)
    _assert_no_trend(binomial_trend([0, 0, 10, 10, 10], [10] * 5), SEPARATED, 5)  # complete
    _assert_no_trend(binomial_trend([0, 0, 4, 10, 10], [10] * 5), SEPARATED, 5)  # quasi-complete
    _assert_no_trend(binomial_trend([10, 10, 0, 0, 0], [10] * 5), SEPARATED, 5)
    _assert_no_trend(poisson_trend([5, 6, 7], [100] * 3, times=[2020, 2020, 2020]), SAME_TIME, 3)
    # Zeros inside the series are fine.
    assert poisson_trend([0, 3, 0, 2, 0], [100] * 5).reason is None
    assert binomial_trend([0, 10, 0, 10, 5], [10] * 5).reason is None


def test_trend_functions_reject_bad_input():
    with pytest.raises(ValueError, match="greater than or equal to zero"):
        poisson_trend([1, -2, 3], [10, 10, 10])
    with pytest.raises(ValueError, match="exceed"):
        binomial_trend([1, 12, 3], [10, 10, 10])
    with pytest.raises(ValueError, match="one value per period"):
        poisson_trend([1, 2, 3], [10, 10])
    with pytest.raises(ValueError, match="times"):
        poisson_trend([1, 2, 3], [10, 10, 10], times=[0, 1])
    with pytest.raises(ValueError, match="finite"):
        poisson_trend([1, 2, 3], [10, 10, 10], times=[0, np.nan, 2])
    with pytest.raises(ValueError, match="conf_level"):
        poisson_trend([1, 2, 3], [10, 10, 10], conf_level=95)


# ---------------------------------------------------------------------------
# Direction


def test_trend_direction_every_label():
    slope = [0.1, -0.1, 0.1, -0.1, 0.1, -0.1, 0.1, np.nan, 0.1]
    p = [0.01, 0.01, 0.01, 0.01, 0.01, 0.01, 0.05, np.nan, np.nan]
    polarity = ["high is bad", "high is bad", "high is good", "high is good", "no judgement", "no judgement",
                "high is bad", "high is good", "no judgement"]  # fmt: skip
    labels = trend_direction(slope, p, polarity)
    assert labels.tolist() == [
        "getting worse",
        "improving",
        "improving",
        "getting worse",
        "increasing",
        "decreasing",
        "no significant change",  # p equal to alpha is not below it
        "not assessed",
        "not assessed",
    ]
    assert set(labels) <= set(DIRECTIONS)
    stricter = trend_direction([0.1, 0.1], [0.04, 0.04], "high is bad", alpha=0.01)
    assert stricter.tolist() == ["no significant change"] * 2


def test_trend_direction_rejects_unknown_polarity_and_alpha():
    with pytest.raises(ValueError, match="polarity"):
        trend_direction(0.1, 0.01, "lower is better")
    with pytest.raises(ValueError, match="alpha"):
        trend_direction(0.1, 0.01, "high is bad", alpha=5)
