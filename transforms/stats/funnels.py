"""Funnel-plot control limits (95% and 99.8%) and the classification of areas.

A funnel plot shows each area's indicator value against its size (denominator)
together with control limits around a benchmark (usually the value for all
areas combined).  The limits narrow as the denominator grows, so an area is
flagged only when it differs from the benchmark by more than chance.  The
conventions here are those of the PHE/OHID Fingertips funnel plots and of the
PHEindicatormethods R package (github.com/ukhsa-collaboration/PHEindicatormethods,
``R/Funnels.R``: ``calculate_funnel_limits``, ``assign_funnel_significance``;
helpers in ``R/utils.R``), which follow:

* Spiegelhalter DJ. *Funnel plots for comparing institutional performance.*
  Statistics in Medicine 2005; 24: 1185-1202.
* APHO Technical Briefing 2: *Statistical process control methods in public
  health intelligence* (Flowers J, 2007), and the Fingertips "Technical
  Guidance - Funnel plots" (PHE/OHID public health methods pages).

The two limit levels are 95% ("2 sigma", tail probability 0.025 each side)
and 99.8% ("3 sigma", 0.001 each side).

Proportions (``statistic = "proportion"``)
    The limits at denominator ``n`` around the benchmark proportion ``p`` are
    the observed proportions at which the Wilson score interval of the
    observation just touches ``p``.  The Wilson interval is the set of
    ``pi`` with ``|obs - pi| <= z*sqrt(pi*(1-pi)/n)``, so with ``pi = p``::

        limit = p -/+ z * sqrt(p * (1 - p) / n)

    (Spiegelhalter 2005, binomial normal approximation).  PHEindicatormethods
    evaluates the same quantity through the closed-form root of a quadratic
    (``sigma_adjustment``); the two are algebraically identical and agree to
    rounding error.  Limits are truncated to ``[0, multiplier]`` (the package
    truncates to ``[0, 100]`` whatever the multiplier; identical for
    percentages).

Rates (``statistic = "rate"``)
    For a count ``O`` with exact (chi-square/Garwood) Poisson limits
    ``(L(O), U(O))`` the upper control limit at expected count
    ``E = benchmark * denominator`` is the count ``O`` with ``L(O) = E`` and the
    lower control limit is the count with ``U(O) = E`` (i.e. the points whose
    confidence interval just touches the benchmark).  PHEindicatormethods
    tabulates this curve by event count (``poisson_funnel``: for a grid of
    counts ``O`` it finds ``L(O)`` and ``U(O)`` by bisection and reports the
    population ``L(O)/benchmark`` with the limit ``O/population``);
    :func:`rate_funnel_points` does the same with the closed-form exact limits
    of :func:`transforms.stats.rates.exact_poisson_ci_count`.
    :func:`rate_funnel_limits` gives the limits at any denominators by solving
    ``L(O) = E`` / ``U(O) = E`` for a continuous ``O``; the package's points
    lie on that curve.  Byar's approximation (``method="byar"``) or the
    PHE rule exact-below-10/Byar-from-10 (``method="mixed"``) may be chosen
    instead of the exact limits.

Classification
    :func:`classify_against_limits` compares a value with the four limits
    (strict inequalities: a value exactly on a limit is inside it), giving
    ``'above 99.8%'``, ``'above 95%'``, ``'within'``, ``'below 95%'``,
    ``'below 99.8%'`` (or ``None`` when anything is missing).
    :func:`proportion_funnel_significance` and :func:`rate_funnel_significance`
    reproduce ``assign_funnel_significance``: for rates the benchmark is
    compared with the area's own Poisson interval (exact below 10 events,
    Byar's from 10, :func:`transforms.stats.rates.poisson_ci_count`), which is
    equivalent to comparing the area's rate with the funnel limits computed by
    the same method.  :data:`PHE_LABELS` maps the labels to the package's
    ("High (0.001)", ...).

All functions are vectorised in the style of :mod:`transforms.stats.rates`:
scalars, lists, numpy arrays or pandas Series in, numpy arrays out.
"""

from __future__ import annotations

import numpy as np
from scipy.stats import norm

from transforms.stats.arguments import alpha_from_conf, as_float, positive
from transforms.stats.rates import byars_ci_count, exact_poisson_ci_count, poisson_ci_count

__all__ = [
    "FUNNEL_LEVELS",
    "ABOVE_998",
    "ABOVE_95",
    "WITHIN",
    "BELOW_95",
    "BELOW_998",
    "PHE_LABELS",
    "proportion_funnel_limits",
    "rate_funnel_limits",
    "rate_funnel_points",
    "funnel_benchmark",
    "derived_denominator",
    "classify_against_limits",
    "proportion_funnel_significance",
    "rate_funnel_significance",
]

#: The two control-limit levels used by Fingertips/ScotPHO funnel plots.
FUNNEL_LEVELS = (0.95, 0.998)

ABOVE_998 = "above 99.8%"
ABOVE_95 = "above 95%"
WITHIN = "within"
BELOW_95 = "below 95%"
BELOW_998 = "below 99.8%"
#: Label returned by :func:`rate_funnel_significance` for rows excluded by ``min_events``.
NOT_APPLICABLE = "not applicable"

#: The labels of PHEindicatormethods ``assign_funnel_significance`` for ours.
PHE_LABELS = {
    ABOVE_998: "High (0.001)",
    ABOVE_95: "High (0.025)",
    WITHIN: "Not significant",
    BELOW_95: "Low (0.025)",
    BELOW_998: "Low (0.001)",
    NOT_APPLICABLE: "Not applicable for events less than 10 for dsrs",
}

_COUNT_LIMITS = {
    "exact": exact_poisson_ci_count,
    "byar": byars_ci_count,
    "mixed": poisson_ci_count,
}


# ---------------------------------------------------------------------------
# Proportions


def proportion_funnel_limits(denominator, benchmark, conf_level=0.95, multiplier=100):
    """Funnel-plot control limits for a proportion at the given denominators.

    Method (Spiegelhalter 2005; PHEindicatormethods ``calculate_funnel_limits``
    with ``statistic = "proportion"``, helper ``sigma_adjustment``)::

        p = benchmark / multiplier
        lower, upper = (p -/+ z * sqrt(p*(1-p)/n)) * multiplier

    truncated to ``[0, multiplier]``, where ``z`` is the ``1 - alpha/2``
    standard normal quantile (1.96 for 95%, 3.09 for 99.8%).

    Parameters
    ----------
    denominator : scalar or array-like
        Denominators ``n`` at which to evaluate the limits.
    benchmark : scalar or array-like
        Benchmark proportion on the output scale (e.g. 80.64 for 80.64% when
        ``multiplier=100``); normally ``sum(numerators)/sum(denominators)*multiplier``
        (:func:`funnel_benchmark`).  Must lie in ``[0, multiplier]``.
    conf_level : float, default 0.95
        Two-sided level, e.g. 0.95 or 0.998.
    multiplier : float, default 100
        Scale of ``benchmark`` and of the limits (100 = percentage).

    Returns
    -------
    (lower, upper) : float numpy arrays; NaN where the denominator is zero,
    negative or NaN, or the benchmark is NaN.
    """
    n = as_float(denominator)
    m = as_float(multiplier)
    p = as_float(benchmark) / m
    if np.any((p < 0) | (p > 1)):
        raise ValueError("benchmark must lie between 0 and multiplier")
    z = norm.isf(alpha_from_conf(conf_level) / 2.0)
    ok = positive(n)
    with np.errstate(invalid="ignore", divide="ignore"):
        half_width = z * np.sqrt(p * (1.0 - p) / np.where(ok, n, 1.0))
    lower = np.where(ok, np.clip(p - half_width, 0.0, 1.0) * m, np.nan)
    upper = np.where(ok, np.clip(p + half_width, 0.0, 1.0) * m, np.nan)
    return np.asarray(lower, dtype=float), np.asarray(upper, dtype=float)


# ---------------------------------------------------------------------------
# Rates


def _solve_count(limit_fn, expected: np.ndarray, conf_level, *, lower_side: bool) -> np.ndarray:
    """Continuous count ``O`` at which a limit of ``O``'s interval equals ``expected``.

    ``lower_side=True`` solves ``lower(O) = E`` (upper control limit);
    ``lower_side=False`` solves ``upper(O) = E`` (lower control limit, 0 where
    even ``O = 0`` has ``upper(0) >= E``).  Both limits increase with ``O``,
    so a vectorised bisection is used; it runs to the resolution of doubles.
    """

    def f(o):
        lo, hi = limit_fn(o, conf_level)
        return lo if lower_side else hi

    e = expected
    # Smallest usable count: Byar's lower limit is undefined at 0, so start just above.
    floor = 1e-12
    lo = np.full(e.shape, floor)
    if not lower_side:
        at_zero = f(np.zeros(e.shape))
        zero_limit = at_zero >= e
    else:
        zero_limit = np.zeros(e.shape, dtype=bool)
    hi = e + 10.0 * np.sqrt(e) + 20.0
    for _ in range(200):  # widen the bracket until f(hi) >= E everywhere
        short = f(hi) < e
        if not np.any(short):
            break
        hi = np.where(short, 2.0 * hi, hi)
    for _ in range(200):
        mid = 0.5 * (lo + hi)
        if np.all((mid == lo) | (mid == hi)):
            break
        below = f(mid) < e
        lo = np.where(below, mid, lo)
        hi = np.where(below, hi, mid)
    count = 0.5 * (lo + hi)
    return np.where(zero_limit, 0.0, count)


def rate_funnel_limits(denominator, benchmark_rate, conf_level=0.95, multiplier=1, method="exact"):
    """Funnel-plot control limits for a rate at the given denominators.

    With ``E = benchmark_rate / multiplier * denominator`` (the expected count)
    the upper limit is ``O_u / denominator * multiplier`` where ``O_u`` solves
    ``lower(O_u) = E`` and the lower limit uses ``O_l`` solving
    ``upper(O_l) = E``; ``(lower, upper)`` are the Poisson confidence limits
    of a count at ``conf_level``.  ``O`` is treated as continuous (the limits
    are smooth curves, as drawn by Fingertips).  Where ``E`` is so small that
    even ``O = 0`` has ``upper(0) >= E`` the lower limit is 0.

    ``method`` chooses the count interval:

    * ``"exact"`` (default): exact chi-square/Garwood limits,
      :func:`~transforms.stats.rates.exact_poisson_ci_count`.  This is what
      PHEindicatormethods ``calculate_funnel_limits`` (statistic ``"rate"``,
      ``poisson_funnel``) plots, and what APHO Technical Briefing 2 describes.
    * ``"byar"``: Byar's approximation at all counts,
      :func:`~transforms.stats.rates.byars_ci_count`.
    * ``"mixed"``: exact below 10 events, Byar's from 10
      (:func:`~transforms.stats.rates.poisson_ci_count`), the rule used by
      ``assign_funnel_significance``; the curve has a very small step where
      the count crosses 10.

    Parameters
    ----------
    denominator : scalar or array-like
        Person-years (or population x years) at which to evaluate the limits.
    benchmark_rate : scalar or array-like
        Benchmark rate per ``multiplier`` (e.g. 116.17 per 100,000), usually
        :func:`funnel_benchmark`.
    conf_level : float, default 0.95
    multiplier : float, default 1
        Scale of ``benchmark_rate`` and of the limits.
    method : {"exact", "byar", "mixed"}

    Returns
    -------
    (lower, upper) : float numpy arrays, on the ``multiplier`` scale; NaN where
    the denominator is zero, negative or NaN or the benchmark is NaN.
    """
    if method not in _COUNT_LIMITS:
        raise ValueError(f"method must be one of {sorted(_COUNT_LIMITS)}")
    alpha_from_conf(conf_level)
    if np.ndim(conf_level) != 0:
        raise ValueError("conf_level must be a single value here")
    n = as_float(denominator)
    m = as_float(multiplier)
    rate = as_float(benchmark_rate)
    if np.any(rate < 0):
        raise ValueError("benchmark_rate must be greater than or equal to zero")
    n, rate, m = np.broadcast_arrays(n, rate, m)
    ok = positive(n) & ~np.isnan(rate) & (rate > 0)
    expected = np.where(ok, rate / np.where(ok, m, 1.0) * np.where(ok, n, 1.0), 1.0)
    limit_fn = _COUNT_LIMITS[method]
    o_upper = _solve_count(limit_fn, expected, conf_level, lower_side=True)
    o_lower = _solve_count(limit_fn, expected, conf_level, lower_side=False)
    safe_n = np.where(ok, n, 1.0)
    upper = np.where(ok, o_upper / safe_n * m, np.nan)
    lower = np.where(ok, o_lower / safe_n * m, np.nan)
    # A zero benchmark rate gives degenerate limits of zero (no events expected).
    zero = positive(n) & (rate == 0)
    lower = np.where(zero, 0.0, lower)
    upper = np.where(zero, 0.0, upper)
    return np.asarray(lower, dtype=float), np.asarray(upper, dtype=float)


def rate_funnel_points(events, benchmark_rate, conf_level=0.95, multiplier=1, years_of_data=1):
    """Points of the exact rate funnel tabulated by event count (PHE layout).

    For each event count ``O`` this returns the two points at which ``O``
    events lie exactly on a control limit, as PHEindicatormethods
    ``calculate_funnel_limits`` (statistic ``"rate"``) reports them:

    * ``upper_population = L(O) / b`` and ``upper_limit = O / upper_population * multiplier``
    * ``lower_population = U(O) / b`` and ``lower_limit = O / lower_population * multiplier``

    where ``b = benchmark_rate / multiplier`` and ``(L, U)`` are the exact
    Poisson limits of :func:`~transforms.stats.rates.exact_poisson_ci_count`
    at ``conf_level``.  The populations are divided by ``years_of_data``
    (the package's ``*_population_1_year`` columns); the limits are not.

    Returns a dict of float numpy arrays with keys ``lower_population``,
    ``lower_limit``, ``upper_population``, ``upper_limit``.  ``O = 0`` has
    no upper point (NaN).
    """
    o = as_float(events)
    b = as_float(benchmark_rate) / as_float(multiplier)
    if np.any(b <= 0):
        raise ValueError("benchmark_rate must be greater than zero")
    low_mu, high_mu = exact_poisson_ci_count(o, conf_level)
    years = as_float(years_of_data)
    with np.errstate(divide="ignore", invalid="ignore"):
        upper_pop = np.where(o > 0, low_mu / b, np.nan)
        lower_pop = high_mu / b
        upper_limit = o / upper_pop * as_float(multiplier)
        lower_limit = o / lower_pop * as_float(multiplier)
    return {
        "lower_population": np.asarray(lower_pop / years, dtype=float),
        "lower_limit": np.asarray(lower_limit, dtype=float),
        "upper_population": np.asarray(upper_pop / years, dtype=float),
        "upper_limit": np.asarray(upper_limit, dtype=float),
    }


def funnel_benchmark(numerator, denominator, multiplier=1):
    """Benchmark for a funnel plot: ``sum(numerator) / sum(denominator) * multiplier``.

    The pooled value of all areas, as PHEindicatormethods computes its
    "baseline average" (``av``).  Rows whose denominator is NaN are left out
    of the denominator sum (``na.rm = TRUE``, as for DSRs with no events); the
    numerator sum must then still be well defined, so a NaN numerator raises
    ``ValueError``.  Returns a Python float.
    """
    num = as_float(numerator).ravel()
    den = as_float(denominator).ravel()
    if np.any(np.isnan(num)):
        raise ValueError("numerators must be provided for all records, even when zero")
    total_den = np.nansum(den)
    if not total_den > 0:
        raise ValueError("the denominators must sum to more than zero")
    return float(num.sum() / total_den * float(multiplier))


def derived_denominator(numerator, rate, multiplier=1, denominator=None, rate_type="crude"):
    """Denominator implied by a rate, as PHEindicatormethods derives it for funnels.

    ``multiplier * numerator / rate``, so that a directly standardised rate
    (DSR) can be placed on a funnel using the population that would give its
    value as a crude rate.  For ``rate_type="dsr"`` rows with zero events get
    NaN (excluded from the benchmark); for ``"crude"`` rows with zero events
    take ``denominator`` when given (their rate is 0 and says nothing about
    the population).  Returns a float numpy array.
    """
    o = as_float(numerator)
    r = as_float(rate)
    m = as_float(multiplier)
    with np.errstate(divide="ignore", invalid="ignore"):
        derived = m * o / r
    if rate_type == "dsr":
        return np.asarray(np.where(o == 0, np.nan, derived), dtype=float)
    if rate_type != "crude":
        raise ValueError("rate_type must be 'crude' or 'dsr'")
    if denominator is not None:
        derived = np.where(o == 0, as_float(denominator), derived)
    return np.asarray(derived, dtype=float)


# ---------------------------------------------------------------------------
# Classification


def classify_against_limits(value, lower_95, upper_95, lower_998, upper_998):
    """Classify values against 95% and 99.8% funnel limits.

    ``'above 99.8%'`` if ``value > upper_998``, else ``'above 95%'`` if
    ``value > upper_95``; ``'below 99.8%'`` if ``value < lower_998``, else
    ``'below 95%'`` if ``value < lower_95``; otherwise ``'within'``.  The
    inequalities are strict, as in PHEindicatormethods
    ``assign_funnel_significance``: a value exactly on a limit is within it.
    Where any input is NaN/None the result is ``None``.

    Returns a numpy array of dtype ``object``.
    """
    v, l95, u95, l998, u998 = np.broadcast_arrays(
        as_float(value), as_float(lower_95), as_float(upper_95), as_float(lower_998), as_float(upper_998)
    )
    out = np.full(v.shape, WITHIN, dtype=object)
    out[v < l95] = BELOW_95
    out[v < l998] = BELOW_998
    out[v > u95] = ABOVE_95
    out[v > u998] = ABOVE_998
    missing = np.isnan(v) | np.isnan(l95) | np.isnan(u95) | np.isnan(l998) | np.isnan(u998)
    out[missing] = None
    return out


def proportion_funnel_significance(numerator, denominator, benchmark=None, multiplier=1):
    """Classify proportions against their funnel limits (95% and 99.8%).

    Reproduces PHEindicatormethods ``assign_funnel_significance`` with
    ``statistic = "proportion"``: each area's proportion ``numerator /
    denominator`` is compared (strictly) with :func:`proportion_funnel_limits`
    at its own denominator.  ``benchmark`` (on the ``multiplier`` scale)
    defaults to the pooled proportion of all rows, :func:`funnel_benchmark`.

    Returns a numpy object array of the labels of
    :func:`classify_against_limits` (``None`` for rows with a missing or
    non-positive denominator).  A negative numerator, or one larger than its
    denominator, raises ``ValueError``.
    """
    num = as_float(numerator)
    den = as_float(denominator)
    if np.any(num < 0):
        raise ValueError("numerators must be greater than or equal to zero")
    if np.any(num > den):
        raise ValueError("numerators must be less than or equal to denominator for a proportion")
    m = float(multiplier)
    if benchmark is None:
        ok = ~np.isnan(num) & ~np.isnan(den)
        benchmark = funnel_benchmark(num[ok], den[ok], m)
    ok = positive(den)
    with np.errstate(divide="ignore", invalid="ignore"):
        value = np.where(ok, num / np.where(ok, den, 1.0) * m, np.nan)
    l95, u95 = proportion_funnel_limits(den, benchmark, 0.95, m)
    l998, u998 = proportion_funnel_limits(den, benchmark, 0.998, m)
    return classify_against_limits(value, l95, u95, l998, u998)


def rate_funnel_significance(observed, denominator, benchmark_rate=None, multiplier=1, min_events=None):
    """Classify rates against their funnel limits (95% and 99.8%).

    Reproduces PHEindicatormethods ``assign_funnel_significance`` with
    ``statistic = "rate"``: the benchmark is compared with each area's own
    Poisson interval for its count (exact below 10 events, Byar's from 10:
    :func:`~transforms.stats.rates.poisson_ci_count`) divided by its
    denominator.  Benchmark below the area's lower 99.8% limit gives
    ``'above 99.8%'``, below its lower 95% limit ``'above 95%'``, above its
    upper 99.8% limit ``'below 99.8%'``, above its upper 95% limit
    ``'below 95%'``, else ``'within'``.  Because the limits of a count grow
    with the count, this is the same as comparing the area's rate with the
    ``method="mixed"`` curves of :func:`rate_funnel_limits`.

    Parameters
    ----------
    observed : array-like
        Event counts (``>= 0``).
    denominator : array-like
        Denominators (person-years); for DSRs use :func:`derived_denominator`.
        NaN rows get ``None`` and are left out of the default benchmark.
    benchmark_rate : float, optional
        Benchmark per ``multiplier``; default the pooled rate
        :func:`funnel_benchmark` of all rows.
    multiplier : float, default 1
    min_events : int, optional
        Rows with fewer events get ``'not applicable'`` (the package does
        this for DSRs with fewer than 10 events: pass ``min_events=10``).

    Returns a numpy object array of labels.
    """
    o = as_float(observed)
    den = as_float(denominator)
    if np.any(o < 0):
        raise ValueError("numerators must be greater than or equal to zero")
    if np.any(den <= 0):
        raise ValueError("denominators must be greater than zero")
    m = float(multiplier)
    if benchmark_rate is None:
        benchmark_rate = funnel_benchmark(o, den, m)
    b = as_float(benchmark_rate) / m
    ok = positive(den)
    safe_den = np.where(ok, den, 1.0)
    rate = np.where(ok, o / safe_den, np.nan)
    l95, u95 = poisson_ci_count(o, 0.95)
    l998, u998 = poisson_ci_count(o, 0.998)
    # The benchmark outside the area's interval <=> the area's rate outside the
    # funnel limits at its denominator; express both as "benchmark vs interval".
    out = np.full(np.broadcast(o, den, b).shape, WITHIN, dtype=object)
    with np.errstate(invalid="ignore"):
        out[b > u95 / safe_den] = BELOW_95
        out[b > u998 / safe_den] = BELOW_998
        out[b < l95 / safe_den] = ABOVE_95
        out[b < l998 / safe_den] = ABOVE_998
    out[~ok | np.isnan(rate) | np.isnan(b)] = None
    if min_events is not None:
        out[o < min_events] = NOT_APPLICABLE
    return out
