"""Tests for transforms.stats.inequality (SII, RII, PAR) against published values.

Reference values: the [PHE-SII] tables and the [SCOTPHO] example of
tests/unit/stats/reference_values/inequality.py, cited there (shared with
tests/unit/udfs/test_udfs_inequality.py), and:

[PHE-DOC]  the repository of [PHE-SII], R/SII_function.R (roxygen
           "Calculation" section): "If quantile 1 then contains 12 percent of the total population, its
           relative rank is 0.12/2 [=0.06]. If quantile 2 includes 10 percent of
           the population, its relative rank is 0.12+(0.10/2)=0.17."
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from scipy.stats import norm

from tests.unit.stats.reference_values.inequality import (
    CONFIDENCE_99,
    EXPECTED,
    LE,
    PROP,
    PROPORTION_MULTIPLIERS,
    QUINTILES,
    RATE,
    SCOTPHO_OVERALL,
    SCOTPHO_POP,
    SCOTPHO_VALUE,
    TABLES,
    TRANSFORMED,
    table_columns,
)
from transforms.stats.inequality import (
    DEFAULT_REPS,
    population_attributable_risk,
    relative_rank,
    scotpho_inequality_measures,
    slope_index_of_inequality,
)


def _check_ci(got, lab, expected_lo_hi, frac=0.02):
    """Simulated limits agree with the published ones to Monte Carlo error.

    Both are the 2.5th/97.5th (etc.) percentiles of 100,000 simulated values;
    the standard error of such a percentile is about 0.5% of the interval's
    width, so two independent runs differ by well under 2% of the width.
    """
    for name, (lo, hi) in expected_lo_hi.items():
        tol = frac * abs(hi - lo)
        assert got[f"{name}_lower{lab}"] == pytest.approx(lo, abs=tol)
        assert got[f"{name}_upper{lab}"] == pytest.approx(hi, abs=tol)


@pytest.mark.parametrize("key", sorted(EXPECTED))
@pytest.mark.parametrize("use_se", [True, False])
def test_phe_untransformed_point_estimates_and_limits(key, use_se):
    table, vtype = TABLES[key[0]]
    c = table_columns(table[key[1]])
    kwargs = {"se": c["se"]} if use_se else {"lower_cl": c["lcl"], "upper_cl": c["ucl"]}
    got = slope_index_of_inequality(c["value"], c["pop"], value_type=vtype, rng=20240501, **kwargs)
    sii, rii, slo, shi, rlo, rhi, intercept = EXPECTED[key]
    # Deterministic parts: exact (the published values are R doubles).
    assert got["sii"] == pytest.approx(sii, rel=1e-10)
    assert got["rii"] == pytest.approx(rii, rel=1e-10)
    assert got["intercept"] == pytest.approx(intercept, rel=1e-10)
    # Simulated limits: within Monte Carlo error (see _check_ci).
    _check_ci(got, "95_0cl", {"sii": (slo, shi), "rii": (rlo, rhi)})


@pytest.mark.parametrize("mult, area", sorted(PROPORTION_MULTIPLIERS))
def test_phe_proportion_multipliers(mult, area):
    sii, rii, slo, shi, rlo, rhi = PROPORTION_MULTIPLIERS[(mult, area)]
    c = table_columns(PROP[area])
    got = slope_index_of_inequality(
        c["value"], c["pop"], lower_cl=c["lcl"], upper_cl=c["ucl"], value_type=2, multiplier=mult, rng=11
    )
    assert got["sii"] == pytest.approx(sii, rel=1e-10)
    assert got["rii"] == pytest.approx(rii, rel=1e-10)
    _check_ci(got, "95_0cl", {"sii": (slo, shi), "rii": (rlo, rhi)})


@pytest.mark.parametrize("area", sorted(CONFIDENCE_99))
def test_phe_confidence_levels_95_and_99_together(area):
    slo, shi, rlo, rhi = CONFIDENCE_99[area]
    c = table_columns(LE[area])
    got = slope_index_of_inequality(c["value"], c["pop"], se=c["se"], confidence=[95, 99], rng=3)
    _check_ci(got, "99_0cl", {"sii": (slo, shi), "rii": (rlo, rhi)})
    e = EXPECTED[("LE", area)]
    _check_ci(got, "95_0cl", {"sii": (e[2], e[3]), "rii": (e[4], e[5])})


@pytest.mark.parametrize("area", sorted(QUINTILES))
def test_phe_quintiles(area):
    sii, rii = QUINTILES[area]
    c = table_columns(LE[area][:5])
    got = slope_index_of_inequality(c["value"], c["pop"], se=c["se"], reps=1000, rng=1)
    assert got["sii"] == pytest.approx(sii, rel=1e-10)
    assert got["rii"] == pytest.approx(rii, rel=1e-10)


@pytest.mark.parametrize("key", sorted(TRANSFORMED, key=str))
def test_phe_transformed(key):
    vtype, mult, area = key
    sii, rii, intercept, ci95, ci98 = TRANSFORMED[key]
    c = table_columns((RATE if vtype == "rate" else PROP)[area])
    got = slope_index_of_inequality(
        c["value"],
        c["pop"],
        lower_cl=c["lcl"],
        upper_cl=c["ucl"],
        value_type=vtype,
        transform=True,
        multiplier=mult,
        confidence=(0.95, 0.98),
        rng=99,
    )
    assert got["sii"] == pytest.approx(sii, rel=1e-10)
    assert got["rii"] == pytest.approx(rii, rel=1e-10)
    assert got["intercept"] == pytest.approx(intercept, rel=1e-10)
    _check_ci(got, "95_0cl", {"sii": ci95[:2], "rii": ci95[2:]})
    if ci98 is not None:
        _check_ci(got, "98_0cl", {"sii": ci98[:2], "rii": ci98[2:]})


def test_simulation_converges_to_normal_theory_limits():
    # A second, independent route for value_type 0: the SII is linear in the
    # values, so its simulated limits converge to b1 -/+ z * sd(b1) with
    # var(b1) = [(X'X)^-1 X' diag(a_i se_i^2) X (X'X)^-1]_{22} (design X with
    # columns sqrt(a), b*sqrt(a)).  Written out here with plain numpy.
    c = table_columns(LE["area1"])
    a = c["pop"] / c["pop"].sum()
    b = np.cumsum(a) - a / 2
    X = np.column_stack([np.sqrt(a), b * np.sqrt(a)])
    P = np.linalg.inv(X.T @ X) @ X.T
    cov = P @ np.diag(a * c["se"] ** 2) @ P.T
    b1 = (P @ (c["value"] * np.sqrt(a)))[1]
    z = norm.ppf(0.975)
    lo, hi = b1 - z * np.sqrt(cov[1, 1]), b1 + z * np.sqrt(cov[1, 1])
    got = slope_index_of_inequality(c["value"], c["pop"], se=c["se"], rng=2024)
    assert got["sii"] == pytest.approx(b1, rel=1e-12)
    _check_ci(got, "95_0cl", {"sii": (lo, hi)}, frac=0.01)
    # ...and the published limits (3.1276, 10.7587) are the same interval.
    assert lo == pytest.approx(3.127594617650817, abs=0.02 * (hi - lo))
    assert hi == pytest.approx(10.7586873680794, abs=0.02 * (hi - lo))


def test_seeded_simulation_is_reproducible():
    c = table_columns(LE["area2"])
    one = slope_index_of_inequality(c["value"], c["pop"], se=c["se"], reps=5000, rng=42)
    two = slope_index_of_inequality(c["value"], c["pop"], se=c["se"], reps=5000, rng=np.random.default_rng(42))
    other = slope_index_of_inequality(c["value"], c["pop"], se=c["se"], reps=5000, rng=43)
    assert one == two
    assert one["sii"] == other["sii"] and one["sii_lower95_0cl"] != other["sii_lower95_0cl"]
    assert DEFAULT_REPS == 100_000  # phe_sii's default


def test_relative_rank_published_example():
    # [PHE-DOC]: shares 12% and 10% -> relative ranks 0.06 and 0.17.
    ranks = relative_rank([12, 10, 78])
    assert ranks[0] == pytest.approx(0.06)
    assert ranks[1] == pytest.approx(0.17)
    assert ranks[2] == pytest.approx(0.61)


# ---------------------------------------------------------------------------
# ScotPHO conventions: regression CI, RII = SII / mean, PAR


def test_scotpho_example_by_hand():
    # Own arithmetic on the [SCOTPHO] inputs.  Equal populations give ranks
    # 0.1, 0.3, 0.5, 0.7, 0.9 and weights 0.2, so the weighted fit is ordinary
    # least squares: Sxy = -0.4*52 - 0.2*22 + 0 + 0.2*(-28) + 0.4*(-43) = -48,
    # Sxx = 0.4, slope = -120, intercept 48 + 120*0.5 = 108.  ScotPHO SII = 120.
    # Residuals 4, -2, -3, -4, 5 (fitted 96, 72, 48, 24, 0); weighted RSS =
    # 0.2*70 = 14 on 3 df, var(slope) = (14/3)/(0.2*0.4) = 58.333, se = 7.6376;
    # t(3, 0.975) = 3.182446 (tables), half-width 24.3063.
    # RII = 120/48 = 2.5;  PAR = (48 - 5)/48 = 89.5833%.
    got = scotpho_inequality_measures(SCOTPHO_VALUE, SCOTPHO_POP, overall_rate=SCOTPHO_OVERALL)
    assert got["sii"] == pytest.approx(120, rel=1e-12)
    half = 3.182446305284263 * np.sqrt((14 / 3) / 0.08)
    assert got["lowci_sii"] == pytest.approx(120 - half, rel=1e-9)
    assert got["upci_sii"] == pytest.approx(120 + half, rel=1e-9)
    assert got["rii"] == pytest.approx(2.5, rel=1e-12)
    assert got["lowci_rii"] == pytest.approx((120 - half) / 48, rel=1e-9)
    assert got["rii_int"] == pytest.approx(125, rel=1e-12)
    assert got["par"] == pytest.approx(43 / 48 * 100, rel=1e-12)
    assert got["abs_range"] == 95 and got["rel_range"] == 20
    # The overall value 48 published with the example is the population-weighted
    # mean of the quintile rates, so the default gives the same answer.
    assert scotpho_inequality_measures(SCOTPHO_VALUE, SCOTPHO_POP) == got


def test_par_equals_scotpho_par_rr_form():
    # [SCOTPHO] computes PAR as sum(par_rr)/(sum(par_rr)+1)*100 with
    # par_rr = (rate/least_rate - 1) * proportion_pop; check the identity with
    # (overall - least)/overall on unequal populations (PHE rate records 71-80).
    c = table_columns(RATE["area1"])
    share = c["pop"] / c["pop"].sum()
    par_rr = (c["value"] / c["value"][-1] - 1) * share
    scotpho_form = par_rr.sum() / (par_rr.sum() + 1) * 100
    assert population_attributable_risk(c["value"], c["pop"]) == pytest.approx(scotpho_form, rel=1e-12)
    # [SCOTPHO] example: 89.5833...% both ways.
    pr = (np.array(SCOTPHO_VALUE) / 5 - 1) * 0.2
    assert population_attributable_risk(SCOTPHO_VALUE, SCOTPHO_POP) == pytest.approx(pr.sum() / (pr.sum() + 1) * 100)


def test_par_edge_cases():
    assert population_attributable_risk([10, 5, 0], [1, 1, 1]) == pytest.approx(100.0)  # least deprived rate 0
    assert population_attributable_risk([10, 5, 2], overall_rate=4) == pytest.approx(50.0)
    # Least deprived first: overall 17/3, least 2 -> (17/3 - 2)/(17/3) = 11/17.
    assert population_attributable_risk([2, 5, 10], [1, 1, 1], least_deprived=0) == pytest.approx(1100 / 17)
    assert np.isnan(population_attributable_risk([10, np.nan, 2], [1, 1, 1]))
    assert np.isnan(population_attributable_risk([10, 5, 2], [1, 0, 1]))
    assert np.isnan(population_attributable_risk([0, 0, 0], [1, 1, 1]))
    with pytest.raises(ValueError):
        population_attributable_risk([1, 2, 3])
    with pytest.raises(ValueError, match="empty"):
        population_attributable_risk([], [])
    with pytest.raises(ValueError, match="same length"):
        population_attributable_risk([1, 2, 3], [1, 1])


def test_regression_ci_is_scotpho_with_reversed_sign():
    c = table_columns(RATE["area1"])
    phe = slope_index_of_inequality(c["value"], c["pop"], se=c["se"], ci_method="regression", multiplier=-1)
    scot = scotpho_inequality_measures(c["value"], c["pop"])
    assert scot["sii"] == pytest.approx(-EXPECTED[("RATE", "area1")][0], rel=1e-10)  # = -PHE SII
    assert phe["sii"] == pytest.approx(scot["sii"], rel=1e-12)
    assert phe["sii_lower95_0cl"] == pytest.approx(scot["lowci_sii"], rel=1e-12)
    assert phe["sii_upper95_0cl"] == pytest.approx(scot["upci_sii"], rel=1e-12)
    assert np.isnan(phe["rii_lower95_0cl"])  # no analytic RII limits untransformed
    # sii_se is the regression SE of the slope, the same with either CI method.
    sim = slope_index_of_inequality(c["value"], c["pop"], se=c["se"], reps=1000, rng=0)
    assert sim["sii_se"] == pytest.approx(phe["sii_se"], rel=1e-12)


# ---------------------------------------------------------------------------
# Edge cases


def test_zero_or_missing_population_is_an_error():
    # testSII.R "negative populations": "some groups have a zero, negative or
    # missing population".
    for bad in (0, -200, np.nan):
        c = table_columns(LE["area1"])
        c["pop"][1] = bad
        with pytest.raises(ValueError, match="zero, negative or missing population"):
            slope_index_of_inequality(c["value"], c["pop"], se=c["se"], reps=1000)


def test_input_validation():
    c = table_columns(LE["area1"])
    v, p, se = c["value"], c["pop"], c["se"]
    with pytest.raises(ValueError, match="between 5 and 100"):
        slope_index_of_inequality(v[:3], p[:3], se=se[:3])
    with pytest.raises(ValueError, match="1000 or greater"):
        slope_index_of_inequality(v, p, se=se, reps=10)
    with pytest.raises(ValueError, match="confidence"):
        slope_index_of_inequality(v, p, se=se, confidence=0.35)
    with pytest.raises(ValueError, match="transform"):
        slope_index_of_inequality(v, p, lower_cl=c["lcl"], upper_cl=c["ucl"], transform=True)
    with pytest.raises(ValueError, match="se must be missing"):
        slope_index_of_inequality(v, p, se=se, value_type="rate", transform=True)
    with pytest.raises(ValueError, match="value proportions"):
        slope_index_of_inequality(v, p, se=se, value_type="proportion")
    with pytest.raises(ValueError, match="negative or missing standard errors"):
        slope_index_of_inequality(v, p, se=np.where(np.arange(10) == 2, np.nan, se))
    with pytest.raises(ValueError, match="either se"):
        slope_index_of_inequality(v, p)
    with pytest.raises(ValueError, match="one value per group"):
        slope_index_of_inequality(v, p, se=se[:9])
    with pytest.raises(ValueError, match="value_type"):
        slope_index_of_inequality(v, p, se=se, value_type=3)
    # A missing value: all results NaN (no exception) for a single area.
    got = slope_index_of_inequality(np.where(np.arange(10) == 4, np.nan, v), p, se=se, reps=1000)
    assert all(np.isnan(x) for x in got.values())
    # More than 10 groups: allowed with a warning, as in phe_sii.
    with pytest.warns(UserWarning, match="unstable"):
        slope_index_of_inequality(np.tile(v, 2)[:15], np.tile(p, 2)[:15], se=np.tile(se, 2)[:15], reps=1000)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        slope_index_of_inequality(v, p, se=se, reps=1000)
