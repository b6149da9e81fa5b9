"""Directly standardised rates with Dobson confidence limits.

Methods and references
----------------------
* Directly standardised rate (DSR) with confidence limits by Dobson's method:
  Dobson AJ, Kuulasmaa K, Eberle E, Scherer J. Confidence intervals for
  weighted sums of Poisson parameters. *Stat Med* 1991; 10: 457-462; APHO
  Technical Briefing 3 (Eayres 2008), DSR section; PHE Fingertips Public
  Health Technical Guidance, DSR chapter.  Implemented as in
  PHEindicatormethods ``calculate_dsr`` (formerly ``phe_dsr``),
  github.com/ukhsa-collaboration/PHEindicatormethods ``R/DSR.R``, for
  independent events.
* Count limits come from :func:`transforms.stats.rates.poisson_ci_count`
  (exact Poisson below 10 events, Byar's approximation from 10; Breslow &
  Day 1987, Armitage & Berry 1994); they are not re-implemented here.

Layout of band data
-------------------
:func:`dsr_details` takes per-band values on the **last axis**: a 1-D array
of 19 bands is one area; a 2-D array ``(n_groups, 19)`` is many areas at
once and gives arrays of ``n_groups`` results (the ``dsr()`` SQL function
passes its rows this way).

Missing and zero values
-----------------------
* Every band must be present: the caller supplies a zero count where there
  were no events (e.g. builds the bands from the population, which has every
  band, and left-joins the counts).
* A missing (NaN) **count** in a present band is taken as zero events, as
  PHEindicatormethods does (``na.zero(x)``); this is what a left join of
  counts onto the population produces for bands without events.
* A missing (NaN) **population** is an error, as in PHEindicatormethods
  ("field n cannot have missing values"); so is a negative count or
  population.
* A population of **zero** in a band makes the age-specific rate of that band
  undefined, so that group's DSR is not computed (NaN, reason
  ``"population zero in a band"``) rather than failing the whole run
  (PHEindicatormethods stops with an error here; ScotPHO's
  ``calculate_easr`` silently drops the band).

Any two-sided ``conf_level`` in (0, 1) is accepted; 0.95 and 0.998 are the
levels used for indicators (``transforms.stats.constants``).
"""

from __future__ import annotations

import numpy as np

from transforms.stats.arguments import as_float, check_observed
from transforms.stats.constants import DSR_MIN_COUNT
from transforms.stats.rates import poisson_ci_count

__all__ = [
    "REASON_LOW_COUNT",
    "REASON_ZERO_POPULATION",
    "dsr_details",
]

REASON_LOW_COUNT = f"total count < {DSR_MIN_COUNT}"
REASON_ZERO_POPULATION = "population zero in a band"


# ---------------------------------------------------------------------------
# Validation helpers


def _standard_weights(standard) -> np.ndarray:
    w = as_float(standard)
    if w.ndim != 1 or w.size == 0:
        raise ValueError("the standard population must be a non-empty 1-D sequence of band weights")
    if np.any(np.isnan(w)):
        raise ValueError("the standard population cannot have missing values")
    if np.any(w < 0):
        raise ValueError("standard population weights must be greater than or equal to zero")
    if not w.sum() > 0:
        raise ValueError("standard population weights must not all be zero")
    return w


def _band_counts(counts) -> np.ndarray:
    """Counts per band: negatives raise, NaN becomes 0 (PHEindicatormethods ``na.zero``)."""
    x = as_float(counts)
    check_observed(x)
    return np.where(np.isnan(x), 0.0, x)


def _band_populations(population) -> np.ndarray:
    n = as_float(population)
    if np.any(np.isnan(n)):
        raise ValueError("population cannot have missing values (a band with no population row is an error)")
    if np.any(n < 0):
        raise ValueError("population must be greater than or equal to zero")
    return n


def _check_bands(n_bands: int, *arrays: np.ndarray) -> None:
    for a in arrays:
        if a.ndim == 0 or a.shape[-1] != n_bands:
            raise ValueError(
                f"band values must be on the last axis with one value per band of the standard "
                f"({n_bands}); got shape {a.shape}"
            )


def _check_min_count(min_count) -> float:
    m = float(min_count)
    if not m >= 1:
        raise ValueError("min_count must be at least 1 (Dobson's limits are undefined at a total count of 0)")
    return m


# ---------------------------------------------------------------------------
# Directly standardised rates


def _dsr_arrays(x, n, w, multiplier, conf_level, min_count):
    """DSR core on validated arrays; returns a dict of arrays over groups."""
    total_count = x.sum(axis=-1)
    total_pop = n.sum(axis=-1)
    pop_ok = np.all(n > 0, axis=-1)
    wsum = w.sum()
    ratio = w / np.where(n > 0, n, 1.0)  # standard pop / band pop
    value = (x * ratio).sum(axis=-1) / wsum
    var = (x * ratio**2).sum(axis=-1) / wsum**2
    publish = pop_ok & (total_count >= min_count)
    o = np.where(publish, total_count, min_count)  # > 0 wherever the result is kept
    lo_o, hi_o = poisson_ci_count(o, conf_level)
    se_per_event = np.sqrt(var / o)
    m = as_float(multiplier)
    lower = np.where(publish, (value + se_per_event * (lo_o - o)) * m, np.nan)
    upper = np.where(publish, (value + se_per_event * (hi_o - o)) * m, np.nan)
    value = np.where(publish, value * m, np.nan)
    low_count = REASON_LOW_COUNT if min_count == DSR_MIN_COUNT else f"total count < {min_count:g}"
    reason = np.full(np.shape(publish), None, dtype=object)
    reason[~publish] = low_count
    reason[~pop_ok] = REASON_ZERO_POPULATION
    return {
        "total_count": np.asarray(total_count, dtype=float),
        "total_pop": np.asarray(total_pop, dtype=float),
        "value": np.asarray(value, dtype=float),
        "lower": np.asarray(lower, dtype=float),
        "upper": np.asarray(upper, dtype=float),
        "published": np.asarray(publish, dtype=bool),
        "reason": reason,
    }


def dsr_details(
    counts_by_band,
    population_by_band,
    standard_by_band,
    multiplier=100000,
    conf_level=0.95,
    min_count=DSR_MIN_COUNT,
) -> dict:
    """Directly standardised rate with Dobson confidence limits, the totals and the reason for suppression.

    For band ``i`` with count ``x_i``, population ``n_i`` and standard
    population ``w_i`` (e.g. ESP2013, :data:`transforms.stats.constants.ESP2013_WEIGHTS`)::

        DSR   = sum(w_i * x_i / n_i) / sum(w_i)                  (x multiplier)
        var   = sum(x_i * (w_i / n_i)^2) / sum(w_i)^2
        O     = sum(x_i)                                          total count
        lower = DSR + sqrt(var / O) * (O_lower - O)               (x multiplier)
        upper = DSR + sqrt(var / O) * (O_upper - O)               (x multiplier)

    where ``(O_lower, O_upper)`` is the confidence interval for the total
    count ``O`` from :func:`transforms.stats.rates.poisson_ci_count` (Dobson
    et al. 1991; APHO Technical Briefing 3; PHEindicatormethods
    ``calculate_dsr``).

    **Not published below ``min_count`` events**: where the total count is
    under ``min_count`` (default 10, ``DSR_MIN_COUNT``) the value and both
    limits are NaN, as in ``calculate_dsr`` ("dsr NA for total count < 10").
    Because the total is then at least 10, the count limits used are always
    Byar's, exactly as ``calculate_dsr`` (which calls ``byars_lower``/
    ``byars_upper`` at every count) computes them; a caller who lowers
    ``min_count`` gets exact Poisson count limits for totals under 10.

    Missing bands and values: see the module docstring.  In short, every
    band must be present; NaN counts count as 0; NaN or negative
    populations raise; a zero population in any band gives NaN for that
    group.

    Parameters
    ----------
    counts_by_band, population_by_band : array-like, bands on the last axis
        Shape ``(B,)`` for one area or ``(G, B)`` (any leading shape) for
        many; broadcast against each other.
    standard_by_band : 1-D array-like of length ``B``
        Standard population of each band, in the same band order.
    multiplier : float, default 100000
    conf_level : float or array-like, default 0.95
        Broadcast against the result shape, so ``[0.95, 0.998]`` with a
        single area gives both intervals at once.
    min_count : float, default 10

    Returns
    -------
    dict of numpy arrays over the leading shape (0-dimensional for a single
    area): ``value``, ``lower``, ``upper`` (the DSR and its limits, per
    ``multiplier``), ``total_count`` and ``total_pop`` (sums over the bands,
    NaN counts as 0), ``published`` (bool) and ``reason`` (object:
    ``'total count < 10'``, ``'population zero in a band'`` or None).
    """
    w = _standard_weights(standard_by_band)
    x = _band_counts(counts_by_band)
    n = _band_populations(population_by_band)
    _check_bands(w.size, x, n)
    x, n = np.broadcast_arrays(x, n)
    return _dsr_arrays(x, n, w, multiplier, conf_level, _check_min_count(min_count))
