"""SQL functions for age-standardisation: ESP2013 weights, DSRs and ISRs.

Each calls :mod:`transforms.stats.standardised` or
:mod:`transforms.stats.constants`.  Band values reach the functions as SQL lists,
built in a model with ``list(x order by band)``; every list of a row must
follow the same band order.
"""

from __future__ import annotations

from collections import defaultdict

import numpy as np

from transforms.stats import constants, standardised
from transforms.udfs.convert import (
    DOUBLE,
    DOUBLE_LIST,
    VARCHAR,
    Udf,
    double_struct,
    fill,
    list_rows,
    null_rows,
    to_arrow_double,
    to_arrow_string,
    to_numpy,
    to_struct,
)

__all__ = ["UDFS", "DSR_TYPE", "ISR_TYPE"]

_CONF_STAND_IN = 0.95

DSR_TYPE = double_struct("value", "lower", "upper", "total_count", "total_population", reason=VARCHAR)
ISR_TYPE = double_struct("value", "lower", "upper")


def esp2013_weight(age):
    """ESP2013 standard population of the band holding each age (completed years), e.g. 0-4 -> 5000.

    :data:`transforms.stats.constants.ESP2013_WEIGHTS` indexed by
    :func:`transforms.stats.constants.esp2013_band_index`; NULL age -> NULL.
    """
    a = to_numpy(age)
    nulls = np.isnan(a)
    idx = constants.esp2013_band_index(fill(a, nulls, 0.0))
    return to_arrow_double(constants.ESP2013_WEIGHTS[idx], nulls)


def esp2013_band(age):
    """ESP2013 band label ('0-4' ... '90+') of each age: :func:`transforms.stats.constants.esp2013_band`."""
    return to_arrow_string(constants.esp2013_band(to_numpy(age)).tolist())


def dsr(observed, population, standard_population, multiplier, conf_level):
    """Directly standardised rate with Dobson limits: :func:`transforms.stats.standardised.dsr_details`.

    Rows are grouped by their standard population and list lengths and each
    group is passed to ``dsr_details`` as one 2-D array, so a batch costs a
    few vectorised calls.  Lists of the wrong length, NULL population or
    standard elements and negative counts raise, as in Python.
    """
    xs, ns, ws = list_rows(observed), list_rows(population), list_rows(standard_population)
    m, c = to_numpy(multiplier), to_numpy(conf_level)
    nulls = null_rows(xs, ns, ws, m, c)
    size = len(xs)
    out = {k: np.full(size, np.nan) for k in ("value", "lower", "upper", "total_count", "total_pop")}
    reason = np.full(size, None, dtype=object)

    groups = defaultdict(list)
    for i in np.flatnonzero(~nulls):
        groups[(tuple(ws[i].tolist()), xs[i].size, ns[i].size)].append(i)
    for (standard, _, _), rows in groups.items():
        res = standardised.dsr_details(
            np.stack([xs[i] for i in rows]),
            np.stack([ns[i] for i in rows]),
            np.asarray(standard, dtype=float),
            multiplier=m[rows],
            conf_level=c[rows],
        )
        for k in out:
            out[k][rows] = res[k]
        reason[rows] = res["reason"]
    return to_struct(
        {
            "value": to_arrow_double(out["value"]),
            "lower": to_arrow_double(out["lower"]),
            "upper": to_arrow_double(out["upper"]),
            "total_count": to_arrow_double(out["total_count"]),
            "total_population": to_arrow_double(out["total_pop"]),
            "reason": to_arrow_string(reason.tolist()),
        },
        nulls,
    )


def isr_expected(population, reference_counts, reference_population):
    """Expected events ``sum(n_i * X_i / N_i)``: :func:`transforms.stats.standardised.expected_count`."""
    ns, xs, refs = list_rows(population), list_rows(reference_counts), list_rows(reference_population)
    nulls = null_rows(ns, xs, refs)
    expected = np.full(len(ns), np.nan)
    groups = defaultdict(list)
    for i in np.flatnonzero(~nulls):
        groups[(ns[i].size, xs[i].size, refs[i].size)].append(i)
    for rows in groups.values():
        expected[rows] = standardised.expected_count(
            np.stack([ns[i] for i in rows]), np.stack([xs[i] for i in rows]), np.stack([refs[i] for i in rows])
        )
    return to_arrow_double(expected, nulls)


def isr(observed, expected, refvalue, conf_level):
    """Indirectly standardised ratio ``O/E*refvalue`` with limits: :func:`transforms.stats.standardised.isr`."""
    o, e, r, c = (to_numpy(x) for x in (observed, expected, refvalue, conf_level))
    nulls = null_rows(o, e, r, c)
    value, lower, upper = standardised.isr(o, e, fill(c, nulls, _CONF_STAND_IN), r)
    return to_struct(
        {"value": to_arrow_double(value), "lower": to_arrow_double(lower), "upper": to_arrow_double(upper)}, nulls
    )


UDFS = (
    Udf(
        "esp2013_weight",
        esp2013_weight,
        [DOUBLE],
        DOUBLE,
        "The 2013 European Standard Population of the ESP2013 band holding an age in completed years.",
        "One of the 19 bands: ``esp2013_weight(0) = 5000``, ``esp2013_weight(90) = 1000``.  "
        "Also as the dbt seed ``esp2013``.",
        ("transforms.stats.constants.ESP2013_WEIGHTS", "transforms.stats.constants.esp2013_band_index"),
    ),
    Udf(
        "esp2013_band",
        esp2013_band,
        [DOUBLE],
        VARCHAR,
        "The label of the ESP2013 band holding an age, ``'0-4'`` ... ``'90+'``.",
        "The band of :func:`esp2013_weight`.",
        ("transforms.stats.constants.esp2013_band",),
    ),
    Udf(
        "dsr",
        dsr,
        [DOUBLE_LIST, DOUBLE_LIST, DOUBLE_LIST, DOUBLE, DOUBLE],
        DSR_TYPE,
        "Directly standardised rate with Dobson limits, the totals, and why a value is NULL.",
        "One list element per age band, in the same order in all three lists (``dsr_details`` gives "
        "what ``dsr`` gives, with the totals and the reason).  Not published under 10 events: value and "
        "limits NULL with ``reason = 'total count < 10'``; a zero population in any band gives NULLs with "
        "``reason = 'population zero in a band'``.  A NULL element of ``observed`` counts as 0 events; a "
        "NULL element of ``population`` or ``standard_population``, lists of different lengths (a missing "
        "band) or an empty list is an error, as in Python.",
        ("transforms.stats.standardised.dsr_details",),
    ),
    Udf(
        "isr_expected",
        isr_expected,
        [DOUBLE_LIST, DOUBLE_LIST, DOUBLE_LIST],
        DOUBLE,
        "Expected events ``sum(n_i * X_i / N_i)`` over the bands.",
        "``population`` holds the area's ``n_i``, ``reference_counts`` and ``reference_population`` the "
        "reference ``X_i`` and ``N_i``, one element per band in the same order.",
        ("transforms.stats.standardised.expected_count",),
    ),
    Udf(
        "isr",
        isr,
        [DOUBLE, DOUBLE, DOUBLE, DOUBLE],
        ISR_TYPE,
        "Indirectly standardised ratio ``observed/expected*refvalue`` with its limits.",
        "Exact limits below 10 events, Byar's from 10.  ``refvalue`` 1 or 100 gives the ratio; the "
        "reference rate gives the indirectly standardised rate (``transforms.stats.standardised.israte``).  "
        "``expected = 0`` gives NULL fields.",
        ("transforms.stats.standardised.isr",),
    ),
)
