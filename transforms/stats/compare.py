"""Comparisons that read a value's direction: better or worse than a benchmark, and by how many events.

Polarity (the catalogue's ``polarity``) says which way is better:

* ``'high is bad'`` (admissions, bed days): below the benchmark is better;
* ``'high is good'`` (seen within 4 hours): above it is better;
* ``'no judgement'`` (context measures such as the share aged 65+): no side is
  better, so the verdict is only ``'higher'`` or ``'lower'``.

:func:`verdict` turns the interval test of
:func:`transforms.stats.rates.compare_with_benchmark` (an area differs from the
benchmark when its confidence interval excludes it, the Fingertips and ScotPHO
convention) into ``'better'``, ``'worse'``, ``'similar'``, ``'higher'``,
``'lower'`` or ``'not compared'`` (no interval or no benchmark).

:func:`improvement_opportunity` is the number of events by which an area's count
would differ if it had a target rate (Scotland's, or the best quartile of its peer
family) instead of its own, counted only in the better direction and zero when the
area is already at or beyond the target:

* crude rate or percentage, high is bad: ``max(0, O - target / multiplier * n)``;
* crude rate or percentage, high is good: ``max(0, target / multiplier * n - O)``,
  the events that would have gone the better way (e.g. attendances seen in 4 hours);
* directly age-standardised rate: ``O * (1 - target / DSR)`` (high is bad) or
  ``O * (target / DSR - 1)`` (high is good), floored at zero: the observed events
  scaled by the ratio of the standardised rates, so that the age structure of the
  area is kept (the events at the target's age-specific pattern are not known from
  the published figures).

``O`` is the numerator, ``n`` the denominator. Anything missing gives NaN.
"""

from __future__ import annotations

import numpy as np

from transforms.stats.arguments import as_float
from transforms.stats.rates import compare_with_benchmark

__all__ = [
    "POLARITIES",
    "best_quartile",
    "verdict",
    "improvement_opportunity",
]

HIGH_IS_BAD = "high is bad"
HIGH_IS_GOOD = "high is good"
NO_JUDGEMENT = "no judgement"
#: The catalogue's polarities (transforms.catalogue checks every entry against them).
POLARITIES = (HIGH_IS_BAD, HIGH_IS_GOOD, NO_JUDGEMENT)

_BY_POLARITY = {
    HIGH_IS_BAD: {"higher": "worse", "lower": "better", "not different": "similar"},
    HIGH_IS_GOOD: {"higher": "better", "lower": "worse", "not different": "similar"},
    NO_JUDGEMENT: {"higher": "higher", "lower": "lower", "not different": "similar"},
}
_RATE_METHODS = ("crude rate", "percentage")
_DSR_METHOD = "directly age-standardised rate"


def _polarities(polarity, size: int) -> list:
    values = [polarity] * size if isinstance(polarity, str) or polarity is None else list(polarity)
    unknown = {p for p in values if p is not None and p not in _BY_POLARITY}
    if unknown:
        raise ValueError(f"unknown polarity {sorted(unknown)}; expected one of {list(POLARITIES)}")
    return values


def verdict(lower, upper, benchmark, polarity) -> np.ndarray:
    """``'better'``, ``'worse'``, ``'similar'``, ``'higher'``, ``'lower'`` or ``'not compared'``.

    The interval ``lower``-``upper`` against ``benchmark``
    (:func:`~transforms.stats.rates.compare_with_benchmark`: a limit equal to the
    benchmark counts as containing it), read with ``polarity`` (one string, or one
    a row). A missing limit, benchmark or polarity gives ``'not compared'``.
    """
    lo, hi, b = as_float(lower), as_float(upper), as_float(benchmark)
    lo, hi, b = np.broadcast_arrays(lo, hi, b)
    labels = compare_with_benchmark(lo, hi, b)
    out = np.full(lo.shape, "not compared", dtype=object)
    flat = out.reshape(-1)
    polarities = _polarities(polarity, flat.size)
    for i, (label, p) in enumerate(zip(np.asarray(labels, dtype=object).reshape(-1), polarities, strict=True)):
        if label is not None and p is not None:
            flat[i] = _BY_POLARITY[p][label]
    return out


def best_quartile(values, polarity) -> float:
    """The best quartile of a set of values: the 25th percentile where high is bad, the 75th where high is good.

    Linear interpolation between order statistics (numpy's default, DuckDB's
    ``quantile_cont``). NaN for no judgement or no value.
    """
    v = as_float(values).reshape(-1)
    v = v[~np.isnan(v)]
    if polarity not in (HIGH_IS_BAD, HIGH_IS_GOOD) or v.size == 0:
        return float("nan")
    return float(np.quantile(v, 0.25 if polarity == HIGH_IS_BAD else 0.75))


def improvement_opportunity(numerator, denominator, value, target, multiplier, method, polarity) -> np.ndarray:
    """Events by which the count would be better at the ``target`` rate; 0 where the area is already there.

    See the module docstring for the formulas. ``method`` and ``polarity`` are one
    string or one a row; methods other than crude rate, percentage and directly
    age-standardised rate, and ``'no judgement'``, give NaN.
    """
    o, n, v, t, m = np.broadcast_arrays(*(as_float(x) for x in (numerator, denominator, value, target, multiplier)))
    size = o.size
    methods = [method] * size if isinstance(method, str) or method is None else list(method)
    polarities = _polarities(polarity, size)
    sign = np.array([{HIGH_IS_BAD: 1.0, HIGH_IS_GOOD: -1.0}.get(p, np.nan) for p in polarities]).reshape(o.shape)
    rate = np.array([x in _RATE_METHODS for x in methods]).reshape(o.shape)
    dsr = np.array([x == _DSR_METHOD for x in methods]).reshape(o.shape)
    with np.errstate(invalid="ignore", divide="ignore"):
        at_target = np.where(rate, t / m * n, np.where(dsr & (v > 0), o * t / np.where(v > 0, v, 1.0), np.nan))
        gap = sign * (o - at_target)
    out = np.where(np.isnan(gap), np.nan, np.maximum(gap, 0.0))
    # A DSR of zero has no events to scale: where high is bad, none is in excess.
    out = np.where(dsr & (v == 0) & (sign == 1.0) & ~np.isnan(t) & ~np.isnan(o), 0.0, out)
    return np.asarray(out, dtype=float)
