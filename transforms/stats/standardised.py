"""Directly standardised rates (Dobson limits) and indirectly standardised
ratios and rates.

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
* Indirectly standardised ratio and rate: APHO Technical Briefing 3 (SMR /
  indirect standardisation); PHEindicatormethods ``calculate_ISRatio``
  (``R/ISRatio.R``) and ``calculate_ISRate`` (``R/ISRate.R``).
* Count limits come from :func:`transforms.stats.rates.poisson_ci_count`
  (exact Poisson below 10 events, Byar's approximation from 10; Breslow &
  Day 1987, Armitage & Berry 1994); they are not re-implemented here.

Layout of band data
-------------------
Array functions take per-band values on the **last axis**: a 1-D array of
19 bands is one area; a 2-D array ``(n_groups, 19)`` is many areas at once
and gives arrays of ``n_groups`` results.  The ``*_frame`` functions take a
long pandas DataFrame (one row per group x band), check that every group has
exactly one row for every band of the standard, pivot it to that 2-D layout
and call the array functions, so the grouped and single-area results are the
same computation.

Missing and zero values (both DSR and ISR)
------------------------------------------
* A band absent from a group (no row) is an error (``ValueError``): the
  caller must supply every band, with a zero count where there were no
  events (e.g. build the frame from the population, which has every band,
  and left-join the counts).
* A missing (NaN) **count** in a present band is taken as zero events, as
  PHEindicatormethods does (``na.zero(x)``); this is what a left join of
  counts onto the population produces for bands without events.
* A missing (NaN) **population** is an error, as in PHEindicatormethods
  ("field n cannot have missing values"); so is a negative count or
  population.
* A population of **zero** in a band: for a DSR the age-specific rate of
  that band is undefined, so that group's DSR is not computed (NaN, reason
  ``"population zero in a band"``) rather than failing the whole run
  (PHEindicatormethods stops with an error here; ScotPHO's
  ``calculate_easr`` silently drops the band).  For an ISR a zero
  population simply contributes zero expected events, as in
  PHEindicatormethods (its "test n = 0" case, reproduced in the tests).

Every function accepts any two-sided ``conf_level`` in (0, 1); 0.95 and
0.998 are the levels used for indicators (``transforms.stats.constants``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from transforms.stats.constants import DSR_MIN_COUNT, esp2013_series
from transforms.stats.arguments import alpha_from_conf, as_float, check_observed
from transforms.stats.rates import EXACT_BELOW, poisson_ci_count

__all__ = [
    "REASON_LOW_COUNT",
    "REASON_ZERO_POPULATION",
    "REASON_ZERO_EXPECTED",
    "dsr",
    "dsr_details",
    "dsr_frame",
    "expected_count",
    "reference_rate",
    "isr",
    "israte",
    "indirect_standardisation",
    "isr_frame",
    "ci_column_suffix",
]

REASON_LOW_COUNT = f"total count < {DSR_MIN_COUNT}"
REASON_ZERO_POPULATION = "population zero in a band"
REASON_ZERO_EXPECTED = "expected count is zero"


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


def _band_populations(population, what="population") -> np.ndarray:
    n = as_float(population)
    if np.any(np.isnan(n)):
        raise ValueError(f"{what} cannot have missing values (a band with no population row is an error)")
    if np.any(n < 0):
        raise ValueError(f"{what} must be greater than or equal to zero")
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


def ci_column_suffix(conf_level: float) -> str:
    """Column suffix for a confidence level as PHEindicatormethods names it:
    0.95 -> ``'95_0cl'``, 0.998 -> ``'99_8cl'``."""
    alpha_from_conf(conf_level)
    return f"{conf_level * 100:.1f}".replace(".", "_") + "cl"


def _conf_levels(conf_level) -> list[float]:
    levels = [float(c) for c in np.atleast_1d(np.asarray(conf_level, dtype=float))]
    if not levels:
        raise ValueError("at least one confidence level is needed")
    for c in levels:
        alpha_from_conf(c)
    if len(set(ci_column_suffix(c) for c in levels)) != len(levels):
        raise ValueError("confidence levels must differ at one decimal place of a percentage")
    return levels


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


def dsr(
    counts_by_band,
    population_by_band,
    standard_by_band,
    multiplier=100000,
    conf_level=0.95,
    min_count=DSR_MIN_COUNT,
):
    """Directly standardised rate with Dobson confidence limits.

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
    (value, lower, upper) : three float numpy arrays over the leading shape
        (0-dimensional for a single area).  For the reason a value is NaN,
        or for the total count and population, use :func:`dsr_frame`.
    """
    out = dsr_details(counts_by_band, population_by_band, standard_by_band, multiplier, conf_level, min_count)
    return out["value"], out["lower"], out["upper"]


def dsr_details(
    counts_by_band,
    population_by_band,
    standard_by_band,
    multiplier=100000,
    conf_level=0.95,
    min_count=DSR_MIN_COUNT,
) -> dict:
    """:func:`dsr` with the totals and the reason for suppression.

    Same arguments, checks and method as :func:`dsr` (Dobson et al. 1991;
    PHEindicatormethods ``calculate_dsr``).  Returns a dict of numpy arrays
    over the leading shape: ``value``, ``lower``, ``upper`` (as :func:`dsr`),
    ``total_count`` and ``total_pop`` (sums over the bands, NaN counts as 0),
    ``published`` (bool) and ``reason`` (object: ``'total count < 10'``,
    ``'population zero in a band'`` or None), as in :func:`dsr_frame`.
    """
    w = _standard_weights(standard_by_band)
    x = _band_counts(counts_by_band)
    n = _band_populations(population_by_band)
    _check_bands(w.size, x, n)
    x, n = np.broadcast_arrays(x, n)
    return _dsr_arrays(x, n, w, multiplier, conf_level, _check_min_count(min_count))


# ---------------------------------------------------------------------------
# Long-frame helpers


def _as_list(cols) -> list:
    if cols is None:
        return []
    if isinstance(cols, str) or not isinstance(cols, Sequence):
        return [cols]
    return list(cols)


def _as_band_series(standard, name: str) -> pd.Series:
    if isinstance(standard, pd.Series):
        s = standard
    elif isinstance(standard, Mapping):
        s = pd.Series(dict(standard))
    else:
        raise TypeError(f"{name} must be a pandas Series or a mapping from band to value")
    if s.index.has_duplicates:
        raise ValueError(f"{name} has duplicate bands")
    return s


def _pivot_bands(df: pd.DataFrame, group_cols: list, band_col, bands: pd.Index, value_cols: list):
    """Long frame -> (group keys frame, {col: (G, B) float matrix}).

    Every group must have exactly one row for every band in ``bands``.
    """
    needed = [*group_cols, band_col, *value_cols]
    absent = [c for c in needed if c not in df.columns]
    if absent:
        raise KeyError(f"columns not in the data frame: {absent}")
    n_bands = len(bands)
    band_codes = np.asarray(pd.Categorical(df[band_col], categories=bands).codes, dtype=np.int64)
    if np.any(band_codes < 0):
        bad = pd.unique(df.loc[band_codes < 0, band_col])
        raise ValueError(f"{band_col!r} has values not in the standard's bands: {list(bad[:5])}")
    if len(df) == 0:
        keys = df[group_cols].iloc[0:0].reset_index(drop=True)
        return keys, {c: np.empty((0, n_bands)) for c in value_cols}
    if group_cols:
        g = df.groupby(group_cols, sort=True, dropna=False, observed=True).ngroup().to_numpy(dtype=np.int64)
    else:
        g = np.zeros(len(df), dtype=np.int64)
    n_groups = int(g.max()) + 1
    first_row = np.unique(g, return_index=True)[1]
    keys = df[group_cols].iloc[first_row].reset_index(drop=True)

    cell = g * n_bands + band_codes
    rows_per_cell = np.bincount(cell, minlength=n_groups * n_bands)
    for bad_rows, problem in ((rows_per_cell > 1, "more than one row"), (rows_per_cell == 0, "no row")):
        if np.any(bad_rows):
            first = int(np.flatnonzero(bad_rows)[0])
            grp, band = divmod(first, n_bands)
            where = keys.iloc[grp].to_dict() if group_cols else "the data frame"
            raise ValueError(
                f"{where} has {problem} for band {bands[band]!r} "
                f"({int(bad_rows.sum())} group x band cells affected); supply exactly one row per band, "
                "with a zero count where there were no events"
            )
    mats = {}
    for col in value_cols:
        m = np.empty(n_groups * n_bands)
        m[cell] = as_float(df[col])
        mats[col] = m.reshape(n_groups, n_bands)
    return keys, mats


def dsr_frame(
    df: pd.DataFrame,
    group_cols,
    count_col: str,
    pop_col: str,
    band_col: str,
    standard=None,
    multiplier=100000,
    conf_level=0.95,
    min_count=DSR_MIN_COUNT,
) -> pd.DataFrame:
    """DSRs for many groups (areas x periods x sexes ...) from a long frame.

    ``df`` has one row per group x band: the group columns, a band column,
    the count and the population.  ``standard`` is a pandas Series (or
    mapping) from band value to standard population; its index fixes the
    bands and must match the values of ``band_col`` (default: ESP2013 by
    label, ``esp2013_series('label')``; use ``esp2013_series('lower_age')``
    or ``('index')`` for other band codings).

    The method, suppression below ``min_count`` and the treatment of missing
    and zero values are those of :func:`dsr` (see the module docstring): a
    group lacking a row for a band of the standard, a duplicated group x
    band row, a band value not in the standard, a NaN or negative
    population or a negative count raises ``ValueError``; NaN counts are
    zero events.

    ``conf_level`` may be one level or several, e.g. ``(0.95, 0.998)``.

    Returns one row per group (sorted by the group columns; NaN group keys
    kept), with the group columns and:

    ``total_count``, ``total_pop``
        sums over the bands;
    ``value``
        DSR per ``multiplier``;
    ``lower95_0cl``, ``upper95_0cl`` (and e.g. ``lower99_8cl``, ``upper99_8cl``)
        Dobson limits, one pair per confidence level, named as in
        PHEindicatormethods (:func:`ci_column_suffix`);
    ``suppressed``
        True where value and limits are NaN;
    ``reason``
        why: ``'total count < 10'`` or ``'population zero in a band'``;
        None where published.
    """
    groups = _as_list(group_cols)
    std = esp2013_series("label") if standard is None else _as_band_series(standard, "standard")
    w = _standard_weights(std.to_numpy(dtype=float))
    levels = _conf_levels(conf_level)
    min_count = _check_min_count(min_count)

    keys, mats = _pivot_bands(df, groups, band_col, std.index, [count_col, pop_col])
    x = _band_counts(mats[count_col])
    n = _band_populations(mats[pop_col])

    out = keys.copy()
    first = None
    for c in levels:
        res = _dsr_arrays(x, n, w, multiplier, c, min_count)
        if first is None:
            first = res
            out["total_count"] = res["total_count"]
            out["total_pop"] = res["total_pop"]
            out["value"] = res["value"]
        sfx = ci_column_suffix(c)
        out[f"lower{sfx}"] = res["lower"]
        out[f"upper{sfx}"] = res["upper"]
    out["suppressed"] = ~first["published"]
    out["reason"] = pd.Series(first["reason"], dtype=object)
    return out


# ---------------------------------------------------------------------------
# Indirect standardisation


def expected_count(population_by_band, ref_counts_by_band, ref_pop_by_band) -> np.ndarray:
    """Expected events: ``sum(n_i * X_i / N_i)`` over the bands (last axis).

    ``n_i`` is the area's population, ``X_i / N_i`` the reference
    population's age-specific rate (PHEindicatormethods
    ``calculate_ISRatio``: ``na.zero(x_ref) / n_ref * na.zero(n)``).

    A NaN reference count is taken as zero (as PHEindicatormethods does); a
    reference population must be positive in every band; the area's
    population may be zero in a band (no expected events there) but not NaN
    or negative.  No bands at all (empty arrays) raise ``ValueError``.
    Returns a float array over the leading shape.
    """
    ref_x = _band_counts(ref_counts_by_band)
    ref_n = _band_populations(ref_pop_by_band, "reference population")
    if ref_n.ndim == 0 or ref_n.shape[-1] == 0:
        raise ValueError("the reference population must have at least one band")
    if np.any(ref_n == 0):
        raise ValueError("reference population must be greater than zero in every band")
    n = _band_populations(population_by_band)
    _check_bands(ref_n.shape[-1], ref_x, n)
    return np.asarray((n * (ref_x / ref_n)).sum(axis=-1), dtype=float)


def reference_rate(ref_counts_by_band, ref_pop_by_band, multiplier=100000) -> np.ndarray:
    """Crude rate of the reference population, ``sum(X_i) / sum(N_i) * multiplier``
    (``ref_rate`` of PHEindicatormethods ``calculate_ISRate``; NaN counts as 0)."""
    ref_x = _band_counts(ref_counts_by_band)
    ref_n = _band_populations(ref_pop_by_band, "reference population")
    if np.any(ref_n.sum(axis=-1) <= 0):
        raise ValueError("reference population must be greater than zero")
    return np.asarray(ref_x.sum(axis=-1) / ref_n.sum(axis=-1) * as_float(multiplier), dtype=float)


def isr(observed, expected, conf_level=0.95, refvalue=1):
    """Indirectly standardised ratio ``O / E * refvalue`` with confidence limits.

    The limits are the count limits for ``O`` from
    :func:`transforms.stats.rates.poisson_ci_count` (exact below 10, Byar's
    from 10) divided by ``E`` (APHO Technical Briefing 3; PHEindicatormethods
    ``calculate_ISRatio``, which uses the same switch).  ``refvalue`` is 1
    for a ratio or 100 for the usual "SMR x 100" presentation.  Unlike a
    DSR, an ISR is not suppressed for small counts.

    Vectorised over ``observed``/``expected``/``conf_level``.  NaN ``O`` or
    ``E`` gives NaN, and so does ``E = 0`` (no ratio exists).  A negative
    ``O`` or ``E`` raises ``ValueError``.

    Returns ``(value, lower, upper)`` as float numpy arrays.
    """
    o = as_float(observed)
    e = as_float(expected)
    if np.any(e < 0):
        raise ValueError("expected counts must be greater than or equal to zero")
    lo_o, hi_o = poisson_ci_count(o, conf_level)
    ok = e > 0  # False for NaN and 0
    scale = np.where(ok, 1.0 / np.where(ok, e, 1.0), np.nan) * as_float(refvalue)
    return (
        np.asarray(o * scale, dtype=float),
        np.asarray(lo_o * scale, dtype=float),
        np.asarray(hi_o * scale, dtype=float),
    )


def israte(observed, expected, ref_rate, conf_level=0.95):
    """Indirectly standardised rate: ``O / E * ref_rate`` with limits.

    ``ref_rate`` is the reference population's crude rate per the chosen
    multiplier (:func:`reference_rate`); the limits are those of
    :func:`isr` times ``ref_rate`` (PHEindicatormethods ``calculate_ISRate``).
    Returns ``(value, lower, upper)`` as float numpy arrays.
    """
    return isr(observed, expected, conf_level=conf_level, refvalue=ref_rate)


def indirect_standardisation(
    observed,
    population_by_band,
    ref_counts_by_band,
    ref_pop_by_band,
    multiplier=100000,
    refvalue=1,
    conf_level=0.95,
) -> dict:
    """Indirectly standardised ratio and rate for one or many areas.

    ``observed`` is the area's total event count (scalar, or one per group);
    ``population_by_band`` has the bands on its last axis; the reference
    counts and populations are 1-D over the same bands.

    Returns a dict of float numpy arrays: ``observed``, ``expected``
    (:func:`expected_count`), ``ref_rate`` (:func:`reference_rate`, per
    ``multiplier``), ``ratio``, ``ratio_lower``, ``ratio_upper`` (:func:`isr`
    with ``refvalue``), ``rate``, ``rate_lower``, ``rate_upper``
    (:func:`israte`).
    """
    o = as_float(observed)
    e = expected_count(population_by_band, ref_counts_by_band, ref_pop_by_band)
    rr = reference_rate(ref_counts_by_band, ref_pop_by_band, multiplier)
    ratio, ratio_lo, ratio_hi = isr(o, e, conf_level, refvalue)
    rate, rate_lo, rate_hi = israte(o, e, rr, conf_level)
    return {
        "observed": o,
        "expected": e,
        "ref_rate": rr,
        "ratio": ratio,
        "ratio_lower": ratio_lo,
        "ratio_upper": ratio_hi,
        "rate": rate,
        "rate_lower": rate_lo,
        "rate_upper": rate_hi,
    }


def isr_frame(
    df: pd.DataFrame,
    group_cols,
    count_col: str,
    pop_col: str,
    band_col: str,
    ref_counts,
    ref_pops,
    refvalue=100,
    multiplier=100000,
    conf_level=0.95,
) -> pd.DataFrame:
    """Indirectly standardised ratios and rates for many groups from a long frame.

    ``df`` has one row per group x band.  ``ref_counts`` and ``ref_pops`` are
    pandas Series (or mappings) from band value to the reference
    population's events and population (e.g. Scotland's); their index fixes
    the bands.  Band checks and missing values as in :func:`dsr_frame` and
    the module docstring; the observed count of a group is the sum of its
    band counts (NaN counted as 0).

    Returns one row per group (sorted by the group columns) with the group
    columns and ``observed``, ``expected``, ``ref_rate``, then for each
    confidence level ``ratio``/``rate`` and their limits
    ``ratio_lower95_0cl``, ``ratio_upper95_0cl``, ``rate_lower95_0cl``, ...,
    ``method`` (``'Exact'`` below 10 observed events, ``'Byars'`` from 10)
    and ``reason`` (``'expected count is zero'`` where the values are NaN
    for that reason, else None).  ``ratio`` is ``O/E * refvalue`` (default
    100), ``rate`` is per ``multiplier``.
    """
    groups = _as_list(group_cols)
    rx = _as_band_series(ref_counts, "ref_counts")
    rn = _as_band_series(ref_pops, "ref_pops")
    if not rx.index.equals(rn.index):
        if set(rx.index) != set(rn.index):
            raise ValueError("ref_counts and ref_pops must have the same bands")
        rn = rn.reindex(rx.index)
    levels = _conf_levels(conf_level)

    keys, mats = _pivot_bands(df, groups, band_col, rx.index, [count_col, pop_col])
    observed = _band_counts(mats[count_col]).sum(axis=-1)
    rx_arr, rn_arr = rx.to_numpy(dtype=float), rn.to_numpy(dtype=float)
    expected = expected_count(mats[pop_col], rx_arr, rn_arr)
    rr = reference_rate(rx_arr, rn_arr, multiplier)

    out = keys.copy()
    out["observed"] = observed
    out["expected"] = expected
    out["ref_rate"] = float(rr)
    for i, c in enumerate(levels):
        ratio, r_lo, r_hi = isr(observed, expected, c, refvalue)
        rate, t_lo, t_hi = israte(observed, expected, rr, c)
        if i == 0:
            out["ratio"] = ratio
            out["rate"] = rate
        sfx = ci_column_suffix(c)
        out[f"ratio_lower{sfx}"] = r_lo
        out[f"ratio_upper{sfx}"] = r_hi
        out[f"rate_lower{sfx}"] = t_lo
        out[f"rate_upper{sfx}"] = t_hi
    out["method"] = pd.Series(np.where(observed < EXACT_BELOW, "Exact", "Byars"), dtype=object)
    reason = np.full(len(out), None, dtype=object)
    reason[expected == 0] = REASON_ZERO_EXPECTED
    out["reason"] = pd.Series(reason, dtype=object)
    return out
