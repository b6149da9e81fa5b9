"""Crude rates, Poisson confidence intervals for counts, and benchmark comparison.

The methods follow the ones used for the ScotPHO profiles and for PHE/OHID
Fingertips:

* Association of Public Health Observatories (APHO), *Technical Briefing 3:
  Commonly used public health statistics and their confidence intervals*
  (Eayres D, 2008), formulae 3, 4a and 4b, and the PHE "Technical Guide:
  Confidence Intervals" (2018), appendices 1 (Byar's method) and 2 (exact
  chi-square method).
* Byar's approximation: Breslow NE, Day NE. *Statistical methods in cancer
  research, volume II: The design and analysis of cohort studies.* Lyon: IARC;
  1987.
* Exact limits from the Poisson/chi-square link: Armitage P, Berry G.
  *Statistical methods in medical research* (3rd edn). Oxford: Blackwell; 1994.
* The same rule (exact below 10 events, Byar's at 10 or more) is implemented
  by ``phe_rate``/``calculate_crude_rate`` in the PHEindicatormethods R
  package (github.com/ukhsa-collaboration/PHEindicatormethods, ``R/Rates.R``).

Every function is vectorised: arguments may be scalars, lists, numpy arrays or
pandas Series, they are broadcast against each other with numpy rules, and the
results are numpy arrays (0-dimensional for all-scalar input; use ``.item()``
or ``float()`` to get a Python number).
"""

from __future__ import annotations

import numpy as np
from scipy.stats import chi2, norm

from transforms.stats.arguments import alpha_from_conf, as_float, check_observed, positive

__all__ = [
    "EXACT_BELOW",
    "byars_ci_count",
    "exact_poisson_ci_count",
    "poisson_ci_count",
    "crude_rate",
    "crude_rate_ci",
    "compare_with_benchmark",
]

#: Counts below this use the exact Poisson interval; counts at or above it
#: use Byar's approximation (APHO/PHE guidance; PHEindicatormethods ``phe_rate``).
EXACT_BELOW = 10


def byars_ci_count(observed, conf_level=0.95):
    """Byar's approximate confidence limits for a Poisson count, at any count.

    Method (Breslow & Day 1987, vol. II; APHO Technical Briefing 3,
    formulae 4a(ii) and 4b(ii))::

        lower = O * (1 - 1/(9*O) - z/(3*sqrt(O)))**3
        upper = (O+1) * (1 - 1/(9*(O+1)) + z/(3*sqrt(O+1)))**3

    where ``z`` is the ``1 - alpha/2`` quantile of the standard normal
    distribution and ``alpha = 1 - conf_level``.  This is the raw
    approximation (PHEindicatormethods' internal ``byars_lower``/
    ``byars_upper``); it is poor for small counts, so indicator code should
    call :func:`poisson_ci_count`, which uses it only for counts of 10 or more.
    For ``O = 0`` the lower limit is undefined and returned as NaN.

    Returns ``(lower, upper)`` as float numpy arrays.  NaN in gives NaN out;
    a negative count raises ``ValueError``.
    """
    o = as_float(observed)
    check_observed(o)
    z = norm.isf(alpha_from_conf(conf_level) / 2.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        lower = o * (1.0 - 1.0 / (9.0 * o) - z / (3.0 * np.sqrt(o))) ** 3
        lower = np.where(o == 0, np.nan, lower)
    o1 = o + 1.0
    upper = o1 * (1.0 - 1.0 / (9.0 * o1) + z / (3.0 * np.sqrt(o1))) ** 3
    return np.asarray(lower, dtype=float), np.asarray(upper, dtype=float)


def exact_poisson_ci_count(observed, conf_level=0.95):
    """Exact (chi-square based) confidence limits for a Poisson count.

    Method (Armitage & Berry 1994; APHO Technical Briefing 3; PHE Technical
    Guide: Confidence Intervals, appendix 2)::

        lower = chi2.ppf(alpha/2, 2*O) / 2          (0 when O = 0)
        upper = chi2.ppf(1 - alpha/2, 2*O + 2) / 2

    with ``alpha = 1 - conf_level``.  These are the Poisson means at which
    ``P(X >= O) = alpha/2`` and ``P(X <= O) = alpha/2`` respectively (the
    Garwood interval).  The upper quantile is computed with the survival
    function (``chi2.isf(alpha/2, ...)``), which is the same quantity with
    better floating-point accuracy.

    Returns ``(lower, upper)`` as float numpy arrays.  NaN in gives NaN out;
    a negative count raises ``ValueError``.
    """
    o = as_float(observed)
    check_observed(o)
    half_alpha = alpha_from_conf(conf_level) / 2.0
    # chi2 with 0 degrees of freedom is degenerate; substitute a dummy df where
    # O == 0 and overwrite the result with the correct limit of 0.
    df_lower = np.where(o == 0, 1.0, 2.0 * o)
    lower = np.where(o == 0, 0.0, chi2.ppf(half_alpha, df_lower) / 2.0)
    upper = chi2.isf(half_alpha, 2.0 * o + 2.0) / 2.0
    return np.asarray(lower, dtype=float), np.asarray(upper, dtype=float)


def poisson_ci_count(observed, conf_level=0.95):
    """Confidence interval for a Poisson count: exact below 10, Byar's from 10.

    This is the APHO/PHE (Fingertips) and ScotPHO rule for crude rates and
    counts: for ``observed < 10`` the exact chi-square limits of
    :func:`exact_poisson_ci_count`; for ``observed >= 10`` Byar's
    approximation of :func:`byars_ci_count`.  The method changes at exactly
    10 events (``EXACT_BELOW``), as in PHEindicatormethods ``phe_rate`` /
    ``calculate_crude_rate``.  At 10 events Byar's limits are within about
    0.2% of the exact ones for 95% intervals (PHE Technical Guide:
    Confidence Intervals, 2018), so the interval is very nearly continuous
    across the switch.

    References: APHO Technical Briefing 3 (2008), formulae 4a/4b; Breslow &
    Day (1987); Armitage & Berry (1994).

    Parameters
    ----------
    observed : scalar or array-like
        Observed count(s) ``O``; must be ``>= 0`` (NaN allowed).
    conf_level : float or array-like, default 0.95
        Two-sided confidence level in (0, 1), e.g. 0.95 or 0.998.

    Returns
    -------
    (lower, upper) : tuple of float numpy arrays
        NaN where ``observed`` is NaN.

    Raises
    ------
    ValueError
        If any observed count is negative or ``conf_level`` is outside (0, 1).
    """
    o = as_float(observed)
    check_observed(o)
    alpha_from_conf(conf_level)  # validate before any computation
    use_byar = o >= EXACT_BELOW  # False for NaN, which the exact branch keeps as NaN
    # Evaluate each branch only on values valid for it, then select.
    b_lower, b_upper = byars_ci_count(np.where(use_byar, o, EXACT_BELOW), conf_level)
    e_lower, e_upper = exact_poisson_ci_count(np.where(use_byar, 0.0, o), conf_level)
    lower = np.where(use_byar, b_lower, e_lower)
    upper = np.where(use_byar, b_upper, e_upper)
    return np.asarray(lower, dtype=float), np.asarray(upper, dtype=float)


def crude_rate(observed, population, multiplier=1000):
    """Crude rate ``observed / population * multiplier``.

    APHO Technical Briefing 3, formula 3.  Where ``population`` is zero,
    negative or NaN the rate is NaN (no exception), because such rows occur
    routinely in small-area data and are suppressed rather than fatal.
    NaN ``observed`` gives NaN; a negative ``observed`` raises ``ValueError``.

    Returns a float numpy array.
    """
    o = as_float(observed)
    check_observed(o)
    p = as_float(population)
    m = as_float(multiplier)
    ok = positive(p)
    with np.errstate(divide="ignore", invalid="ignore"):
        rate = np.where(ok, o / np.where(ok, p, 1.0) * m, np.nan)
    return np.asarray(rate, dtype=float)


def crude_rate_ci(observed, population, multiplier=1000, conf_level=0.95):
    """Crude rate with its confidence interval: ``(rate, lower, upper)``.

    The limits are the count limits of :func:`poisson_ci_count` (exact
    Poisson below 10 events, Byar's from 10) divided by the population and
    scaled by ``multiplier`` (APHO Technical Briefing 3, formulae 4a(i) and
    4b(i); PHEindicatormethods ``phe_rate``).

    Where ``population`` is zero, negative or NaN all three results are NaN
    (no exception).  NaN ``observed`` gives NaN.  A negative ``observed`` or a
    ``conf_level`` outside (0, 1) raises ``ValueError``.

    Returns three float numpy arrays.
    """
    o = as_float(observed)
    p = as_float(population)
    m = as_float(multiplier)
    lo_count, hi_count = poisson_ci_count(o, conf_level)
    ok = positive(p)
    safe_p = np.where(ok, p, 1.0)
    rate = np.where(ok, o / safe_p * m, np.nan)
    lower = np.where(ok, lo_count / safe_p * m, np.nan)
    upper = np.where(ok, hi_count / safe_p * m, np.nan)
    return (np.asarray(rate, dtype=float), np.asarray(lower, dtype=float), np.asarray(upper, dtype=float))


HIGHER = "higher"
LOWER = "lower"
NOT_DIFFERENT = "not different"


def compare_with_benchmark(lower, upper, benchmark):
    """Compare an area's confidence interval with a benchmark value.

    The ScotPHO profiles / PHE Fingertips rule: an area is significantly
    ``'higher'`` than the benchmark (e.g. the Scotland value) when its lower
    confidence limit is above the benchmark, ``'lower'`` when its upper limit
    is below the benchmark, and ``'not different'`` when the interval contains
    the benchmark (limits equal to the benchmark count as containing it).
    See APHO Technical Briefing 3, "Use and presentation" of confidence
    intervals, and the Fingertips "compared with benchmark" colouring.

    Where any of ``lower``, ``upper`` or ``benchmark`` is NaN/None the result
    is ``None`` (not ``''``), so missing comparisons stay missing in pandas,
    Parquet and SQL.

    Returns a numpy array of dtype ``object`` holding ``'higher'``,
    ``'lower'``, ``'not different'`` or ``None``.
    """
    lo = as_float(lower)
    hi = as_float(upper)
    bm = as_float(benchmark)
    lo, hi, bm = np.broadcast_arrays(lo, hi, bm)
    missing = np.isnan(lo) | np.isnan(hi) | np.isnan(bm)
    out = np.full(lo.shape, NOT_DIFFERENT, dtype=object)
    out[lo > bm] = HIGHER
    out[hi < bm] = LOWER
    out[missing] = None
    return out
