"""Inequality measures across deprivation quantiles: SII, RII and PAR.

Slope index of inequality (SII) and relative index of inequality (RII)
    The method of ``phe_sii`` in the PHEindicatormethods R package
    (github.com/ukhsa-collaboration/PHEindicatormethods, ``R/SII_function.R``
    with the helpers ``FindXValues`` and ``SimulationFunc`` in ``R/utils.R``),
    after Low A, Low A. *Measuring the gap: quantifying and comparing local
    health inequalities.* J Public Health 2004; 26: 388-395:

    * The groups (e.g. SIMD quintiles or deciles) are ordered from the most
      deprived (SIMD 1) to the least deprived.  Each gets the relative rank
      (ridit) of the midpoint of its share of the population::

          a_i = pop_i / sum(pop)              b_i = sum(a_1..a_{i-1}) + a_i / 2

    * The weighted regression ``y_i = beta0 + beta1 * b_i`` with weights
      ``a_i`` is fitted as an ordinary least-squares regression without a
      constant of ``y_i*sqrt(a_i)`` on ``sqrt(a_i)`` and ``b_i*sqrt(a_i)``.
    * ``SII = beta1 * multiplier`` (the fitted difference between ranks 1 and
      0: least minus most deprived) and ``RII = (beta0 + beta1) / beta0`` (the
      ratio of the fitted values at ranks 1 and 0); with a negative
      ``multiplier`` the RII is inverted.  ``intercept = beta0``.
    * ``value_type`` ``"rate"`` or ``"proportion"`` with ``transform=True``
      fits the regression to log rates / logit proportions and transforms the
      results back: ``SII = (g(beta0+beta1) - g(beta0)) * multiplier``,
      ``RII = g(beta0+beta1)/g(beta0)``, ``intercept = g(beta0)*|multiplier|``
      with ``g`` = exp or the inverse logit.
    * Confidence limits by simulation (``ci_method="simulation"``, the
      package's only method): each group's value is drawn ``reps`` times from
      a normal distribution with its standard error (on the log/logit scale
      for rates/proportions, back-transformed unless ``transform=True``), the
      regression is refitted to every draw, and the limits are the draws at
      positions ``round(reps * alpha/2)`` and ``round(reps * (1 - alpha/2))``
      of the sorted SIIs and RIIs.  With ``transform=True`` the simulated
      slope limits are turned into SII/RII limits around the fitted value at
      rank 0.5, as the package does.  The default is 100,000 draws, as in the
      package, from a seeded ``numpy.random.Generator`` (``rng``), so results
      are reproducible, but the draws differ from R's, so simulated limits
      agree with the package's only to Monte Carlo error.
    * Standard errors, when not given, come from the 95% confidence limits:
      ``(upper - lower) / (2 * 1.959964)`` on the value's scale (log or logit
      for rates and proportions).  A given ``se`` for a rate or proportion is
      therefore the SE of its log or logit.

Analytic confidence limits (``ci_method="regression"``)
    PHEindicatormethods has no analytic method.  ScotPHO's production code
    (github.com/Public-Health-Scotland/scotpho-indicator-production,
    ``functions/helper functions/calculate_inequality_measures.R``) takes the
    SII limits from the same weighted regression's own standard error
    (R ``confint`` of ``lm``: ``beta1 +/- t(n-2) * se(beta1)``, residual
    variance on ``n - 2`` degrees of freedom).  That is offered here; it gives
    SII limits (and, with ``transform=True``, RII limits) but no RII limits
    for untransformed values (NaN).

ScotPHO conventions (:func:`scotpho_inequality_measures`)
    ScotPHO reports ``SII = -beta1`` (positive when rates are higher in the
    more deprived groups), ``RII = SII / overall rate`` (not the PHE ratio
    above), the "RII as % of the mean" ``RII * 0.5 * 100``, the absolute and
    relative ranges between the most and least deprived groups, and the PAR.

Population attributable risk (PAR, :func:`population_attributable_risk`)
    ``PAR = (overall rate - rate in the least deprived group) / overall rate``,
    as a percentage: the share of the events that would not occur if every
    group had the rate of the least deprived.  ScotPHO computes it as
    ``sum(p_i * (r_i/r_least - 1)) / (sum(p_i * (r_i/r_least - 1)) + 1) * 100``
    with ``p_i`` the population shares (``calculate_inequality_measures.R``;
    also ``inequality_index_calculations.R`` in
    github.com/Public-Health-Scotland/scotpho-common-code).  Since
    ``sum(p_i * r_i)`` is the population-weighted overall rate ``R``, that is
    exactly ``(R - r_least) / R``.  ScotPHO's technical description: ScotPHO,
    *Measuring socio-economic inequalities in health: a practical guide*
    (Munoz-Arroyo R, Sutton M; 2007), and the Scottish Government's
    *Long-term monitoring of health inequalities*, annex 1 (technical notes).

Missing groups
    Following PHEindicatormethods, an SII is calculated only for areas that
    have every quantile present in the data (the caller passes complete
    areas); ScotPHO likewise requires 5 or 10 groups.  A zero, negative or
    missing population is an error (``ValueError``), as in the package ("some
    groups have a zero, negative or missing population").  A missing value
    makes the area's results NaN.
"""

from __future__ import annotations

import warnings

import numpy as np
from scipy.special import expit, logit
from scipy.stats import norm
from scipy.stats import t as student_t

from transforms.stats.arguments import as_float

__all__ = [
    "DEFAULT_REPS",
    "relative_rank",
    "slope_index_of_inequality",
    "population_attributable_risk",
    "scotpho_inequality_measures",
]

#: Default number of simulation repetitions (PHEindicatormethods ``phe_sii``).
DEFAULT_REPS = 100_000
#: Fewest repetitions allowed, as in ``phe_sii``.
MIN_REPS = 1000
_Z95 = norm.ppf(0.975)  # the package derives SEs from 95% limits, whatever `confidence`

_VALUE_TYPES = {0: "normal", 1: "rate", 2: "proportion", "normal": "normal", "rate": "rate", "proportion": "proportion"}


def relative_rank(population) -> np.ndarray:
    """Relative rank (ridit) of each group: the midpoint of its cumulative population share.

    ``b_i = (pop_1 + ... + pop_{i-1} + pop_i / 2) / sum(pop)`` for groups in
    the order given (most deprived first).  PHEindicatormethods
    ``FindXValues``; ScotPHO ``relative_rank``.  Returns a float array.
    """
    pop = as_float(population).ravel()
    share = pop / pop.sum()
    return np.cumsum(share) - share / 2.0


def _value_type(value_type) -> str:
    try:
        return _VALUE_TYPES[value_type]
    except (KeyError, TypeError):
        raise ValueError("value_type should be 0/'normal', 1/'rate' or 2/'proportion'") from None


def _confidence_levels(confidence) -> list[float]:
    levels = np.atleast_1d(np.asarray(confidence, dtype=float)).tolist()
    out = []
    for c in levels:
        if 90 <= c <= 100:
            c = c / 100.0
        if not (0.9 <= c < 1):
            raise ValueError("all confidence levels must be between 90 and 100 or between 0.9 and 1")
        out.append(c)
    return out


def _label(conf: float) -> str:
    """PHE column suffix, e.g. 0.95 -> '95_0cl', 0.998 -> '99_8cl'."""
    return f"{conf * 100:.1f}".replace(".", "_") + "cl"


def _to_model_scale(x: np.ndarray, vtype: str) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        if vtype == "rate":
            return np.log(x)
        if vtype == "proportion":
            return logit(x)
    return x


def _from_model_scale(x: np.ndarray, vtype: str) -> np.ndarray:
    if vtype == "rate":
        return np.exp(x)
    if vtype == "proportion":
        return expit(x)
    return x


def _design(population: np.ndarray) -> np.ndarray:
    a = population / population.sum()
    sqrt_a = np.sqrt(a)
    return np.column_stack([sqrt_a, relative_rank(population) * sqrt_a])


def _sorted_position(n_draws: int, p: float) -> int:
    """0-based index of R's ``round(n * p)``-th order statistic (round half to even)."""
    pos = int(round(n_draws * p))
    return min(max(pos, 1), n_draws) - 1


def _nan_result(levels) -> dict[str, float]:
    out = {"sii": np.nan, "rii": np.nan, "intercept": np.nan, "sii_se": np.nan}
    for c in levels:
        lab = _label(c)
        for k in ("sii_lower", "sii_upper", "rii_lower", "rii_upper"):
            out[k + lab] = np.nan
    return out


def slope_index_of_inequality(
    value,
    population,
    *,
    se=None,
    lower_cl=None,
    upper_cl=None,
    value_type="normal",
    transform: bool = False,
    multiplier: float = 1.0,
    confidence=0.95,
    ci_method: str = "simulation",
    reps: int = DEFAULT_REPS,
    rng=None,
) -> dict[str, float]:
    """SII and RII with confidence limits for one area, as PHEindicatormethods ``phe_sii``.

    Parameters
    ----------
    value : array-like
        Indicator value of each group, ordered from the most deprived group
        (SIMD 1) to the least deprived; 5 to 100 groups.
    population : array-like
        Population of each group; all must be > 0.
    se : array-like, optional
        Standard error of each value (of its log for rates, of its logit for
        proportions).  Not allowed with ``transform=True``.
    lower_cl, upper_cl : array-like, optional
        95% confidence limits of each value, used when ``se`` is not given.
    value_type : {"normal" (0), "rate" (1), "proportion" (2)}
    transform : bool, default False
        Fit the regression to log rates / logit proportions.
    multiplier : float, default 1
        Scales the SII and its limits; a negative multiplier reverses the
        polarity and inverts the RII.
    confidence : float or sequence, default 0.95
        Level(s) of the SII/RII limits, in [0.9, 1) or [90, 100).
    ci_method : {"simulation", "regression"}
        See the module docstring.
    reps : int, default 100,000
        Simulation repetitions (at least 1,000).
    rng : numpy Generator, int seed or None
        Source of the simulation's random numbers.

    Returns
    -------
    dict of floats: ``sii``, ``rii``, ``intercept``, ``sii_se`` (the
    regression standard error of the slope, times ``|multiplier|`` unless
    ``transform``; on the log/logit scale with ``transform``), and for each
    confidence level ``sii_lower95_0cl``, ``sii_upper95_0cl``,
    ``rii_lower95_0cl``, ``rii_upper95_0cl`` (suffix as in the package, e.g.
    ``99_8cl`` for 99.8%).  All NaN when any value is NaN.
    """
    vtype = _value_type(value_type)
    levels = _confidence_levels(confidence)
    if ci_method not in ("simulation", "regression"):
        raise ValueError("ci_method must be 'simulation' or 'regression'")
    if transform and vtype == "normal":
        raise ValueError("value_type should be 'rate' or 'proportion' when transform is true")
    if transform and se is not None:
        raise ValueError("se must be missing when transform is true (limits are needed)")
    if ci_method == "simulation" and int(reps) < MIN_REPS:
        raise ValueError("number of repetitions must be 1000 or greater. Default is 100,000")
    m = float(multiplier)

    y = as_float(value).ravel()
    pop = as_float(population).ravel()
    n = y.size
    if pop.size != n:
        raise ValueError("value and population must have the same length")
    if not 5 <= n <= 100:
        raise ValueError("Number of quantiles must be between 5 and 100")
    if n > 10:
        warnings.warn(
            "Small values can make SII unstable when using a large number of quantiles", UserWarning, stacklevel=2
        )
    if np.any(~(pop > 0)) or np.any(~np.isfinite(pop)):
        raise ValueError("some groups have a zero, negative or missing population")

    # Standard errors on the model scale (log/logit for rates/proportions).
    if se is not None:
        s = as_float(se).ravel()
        if np.any(np.isnan(s)) or np.any(s < 0):
            raise ValueError("negative or missing standard errors in input")
    elif lower_cl is not None and upper_cl is not None:
        lo = as_float(lower_cl).ravel()
        hi = as_float(upper_cl).ravel()
        if np.any(np.isnan(lo)) or np.any(np.isnan(hi)):
            raise ValueError("missing lower or upper confidence limits in input")
        if vtype == "proportion" and np.any((lo < 0) | (lo > 1) | (hi < 0) | (hi > 1)):
            raise ValueError("confidence limit proportions are not all between 0 and 1")
        s = (_to_model_scale(hi, vtype) - _to_model_scale(lo, vtype)) / (2.0 * _Z95)
    else:
        raise ValueError("either se, or both lower_cl and upper_cl, are required")
    if s.size != n:
        raise ValueError("standard errors or confidence limits must have one value per group")
    if vtype == "proportion" and np.any((y < 0) | (y > 1)):
        raise ValueError("value proportions are not all between 0 and 1")

    if np.any(np.isnan(y)):
        return _nan_result(levels)

    X = _design(pop)  # columns sqrt(a), b*sqrt(a)
    proj = np.linalg.solve(X.T @ X, X.T)  # (X'X)^-1 X', 2 x n
    y_model = _to_model_scale(y, vtype)
    y_fit = y_model if transform else y
    b0, b1 = proj @ (y_fit * X[:, 0])
    g = (lambda x: _from_model_scale(x, vtype)) if transform else None

    # Regression (ScotPHO) standard error of the slope.
    resid = y_fit * X[:, 0] - X @ np.array([b0, b1])
    df_resid = n - 2
    sigma2 = float(resid @ resid) / df_resid
    slope_se = float(np.sqrt(sigma2 * np.linalg.inv(X.T @ X)[1, 1]))

    out: dict[str, float] = {}
    if transform:
        at0, at1 = g(b0), g(b0 + b1)
        out["sii"] = float((at1 - at0) * m)
        rii = at1 / at0
        out["rii"] = float(1.0 / rii if m < 0 else rii)
        out["intercept"] = float(at0 * abs(m))
        out["sii_se"] = slope_se
    else:
        out["sii"] = float(b1 * m)
        rii = (b0 + b1) / b0
        out["rii"] = float(1.0 / rii if m < 0 else rii)
        out["intercept"] = float(b0)
        out["sii_se"] = slope_se * abs(m)

    if ci_method == "simulation":
        gen = np.random.default_rng(rng)
        reps = int(reps)
        draws = gen.normal(loc=y_model[:, None], scale=s[:, None], size=(n, reps))
        if not transform:
            draws = _from_model_scale(draws, vtype)
        coefs = proj @ (draws * X[:, [0]])  # 2 x reps
        b0s, b1s = coefs
        if transform:
            slopes = np.sort(b1s)
        else:
            sii_draws = np.sort(b1s * m)
            with np.errstate(divide="ignore", invalid="ignore"):
                rii_draws = (b0s + b1s) / b0s
                if m < 0:
                    rii_draws = 1.0 / rii_draws
            rii_draws = np.sort(rii_draws)

    for c in levels:
        lab = _label(c)
        upper_p = c + (1.0 - c) / 2.0
        if ci_method == "simulation":
            i_lo = _sorted_position(reps, 1.0 - upper_p)
            i_hi = _sorted_position(reps, upper_p)
            if transform:
                slope_lo, slope_hi = slopes[i_lo], slopes[i_hi]
            else:
                out["sii_lower" + lab] = float(sii_draws[i_lo])
                out["sii_upper" + lab] = float(sii_draws[i_hi])
                out["rii_lower" + lab] = float(rii_draws[i_lo])
                out["rii_upper" + lab] = float(rii_draws[i_hi])
        else:
            half = student_t.ppf(upper_p, df_resid) * slope_se
            slope_lo, slope_hi = b1 - half, b1 + half
            if not transform:
                ends = np.sort([slope_lo * m, slope_hi * m])
                out["sii_lower" + lab] = float(ends[0])
                out["sii_upper" + lab] = float(ends[1])
                out["rii_lower" + lab] = np.nan
                out["rii_upper" + lab] = np.nan
        if transform:
            # Limits around the fitted value at rank 0.5 (PHEindicatormethods):
            # the line through (0.5, b0 + b1/2) with the limiting slope.
            mid = b0 + b1 / 2.0
            lo0, lo1 = g(mid - slope_lo / 2.0), g(mid + slope_lo / 2.0)
            hi0, hi1 = g(mid - slope_hi / 2.0), g(mid + slope_hi / 2.0)
            if m < 0:
                out["sii_lower" + lab] = float((hi1 - hi0) * m)
                out["sii_upper" + lab] = float((lo1 - lo0) * m)
                out["rii_lower" + lab] = float(1.0 / (hi1 / hi0))
                out["rii_upper" + lab] = float(1.0 / (lo1 / lo0))
            else:
                out["sii_lower" + lab] = float((lo1 - lo0) * m)
                out["sii_upper" + lab] = float((hi1 - hi0) * m)
                out["rii_lower" + lab] = float(lo1 / lo0)
                out["rii_upper" + lab] = float(hi1 / hi0)
    return out


def population_attributable_risk(
    rate, population=None, *, overall_rate=None, least_deprived: int = -1, scale: float = 100.0
):
    """Population attributable risk: ``(overall - least deprived) / overall * scale``.

    The ScotPHO measure (see the module docstring): the share of the overall
    rate that would not occur if the whole population had the rate of the
    least deprived group.  ``overall_rate`` defaults to the
    population-weighted mean of the group rates, ``sum(rate*pop)/sum(pop)``,
    which is what ScotPHO's ``sum(par_rr)/(sum(par_rr)+1)`` form uses; pass the
    area's total rate instead to use that.  ``least_deprived`` is the position
    of the least deprived group in ``rate`` (default the last: SIMD quintile 5
    or decile 10 when ordered 1..n).  ``scale=100`` gives a percentage.

    Returns a Python float; NaN if any rate is NaN, any population is NaN or
    non-positive, or the overall rate is zero or NaN.  A least-deprived rate of
    zero gives 100%.  An empty ``rate``, or ``population`` of another length,
    raises ``ValueError``.
    """
    r = as_float(rate).ravel()
    if r.size == 0:
        raise ValueError("rate must have one value per group; it is empty")
    least = r[least_deprived]
    if overall_rate is None:
        if population is None:
            raise ValueError("population is required when overall_rate is not given")
        p = as_float(population).ravel()
        if p.size != r.size:
            raise ValueError("rate and population must have the same length")
        if np.any(~(p > 0)) or np.any(np.isnan(r)):
            return float("nan")
        overall = float((r * p).sum() / p.sum())
    else:
        overall = float(overall_rate)
        if np.any(np.isnan(r)):
            return float("nan")
    if not np.isfinite(overall) or overall == 0:
        return float("nan")
    return float((overall - least) / overall * scale)


def scotpho_inequality_measures(rate, population, *, overall_rate=None, confidence: float = 0.95) -> dict[str, float]:
    """The ScotPHO inequality measures for one area, from rates by SIMD quintile or decile.

    As ``calculate_inequality_measures`` in scotpho-indicator-production
    (``functions/helper functions/calculate_inequality_measures.R``), with
    ``rate`` and ``population`` ordered from the most deprived group (SIMD 1):

    * ``sii = -beta1`` of the weighted regression of :func:`slope_index_of_inequality`
      (positive when rates fall from most to least deprived), with limits
      ``lowci_sii``/``upci_sii`` from the regression's t-interval (R
      ``confint``), i.e. ``slope_index_of_inequality(..., multiplier=-1,
      ci_method="regression")``;
    * ``rii = sii / overall_rate`` and its limits likewise (0 when the SII is
      exactly 0), and ``rii_int = rii * 0.5 * 100`` etc. ("the most deprived
      are xx% above the average");
    * ``par`` (:func:`population_attributable_risk`, percent);
    * ``abs_range = most - least`` and ``rel_range = most / least``.

    ``overall_rate`` defaults to the population-weighted mean of the rates
    (ScotPHO uses the area's total rate).  ScotPHO requires exactly 5 or 10
    groups; other counts raise ``ValueError``.  A missing rate gives NaN SII,
    RII and PAR (ScotPHO instead refits without that group; its relative ranks
    still include it).  Returns a dict of floats.
    """
    r = as_float(rate).ravel()
    p = as_float(population).ravel()
    if r.size not in (5, 10):
        raise ValueError("ScotPHO inequality measures need exactly 5 (quintiles) or 10 (deciles) groups")
    fit = slope_index_of_inequality(
        r, p, se=np.zeros_like(r), multiplier=-1.0, confidence=confidence, ci_method="regression"
    )
    lab = _label(_confidence_levels(confidence)[0])
    overall = float((r * p).sum() / p.sum()) if overall_rate is None else float(overall_rate)
    sii, lo, hi = fit["sii"], fit["sii_lower" + lab], fit["sii_upper" + lab]
    if sii == 0:
        rii = rii_lo = rii_hi = 0.0
    else:
        rii, rii_lo, rii_hi = sii / overall, lo / overall, hi / overall
    return {
        "sii": sii,
        "lowci_sii": lo,
        "upci_sii": hi,
        "rii": rii,
        "lowci_rii": rii_lo,
        "upci_rii": rii_hi,
        "rii_int": rii * 0.5 * 100,
        "lowci_rii_int": rii_lo * 0.5 * 100,
        "upci_rii_int": rii_hi * 0.5 * 100,
        "par": population_attributable_risk(r, p, overall_rate=overall_rate),
        "abs_range": float(r[0] - r[-1]),
        "rel_range": float(r[0] / r[-1]) if r[-1] != 0 else float("nan"),
    }
