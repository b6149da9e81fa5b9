"""SQL functions placing a value in the Fingertips quantiles of a set of values.

Each calls :func:`transforms.stats.quantiles.assign_quantiles`.  In a model
the set is the window list of the values being ranked, e.g.::

    fingertips_quintile(value, list(value) over (partition by indicator_id, period), true)
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from transforms.stats.quantiles import assign_quantiles
from transforms.udfs.convert import (
    BOOLEAN,
    DOUBLE,
    DOUBLE_LIST,
    INTEGER,
    Udf,
    list_rows,
    null_rows,
    to_arrow_int,
    to_numpy,
    to_pylist,
)

__all__ = ["UDFS"]


def _quantile_by_value(values: np.ndarray, nquantiles: int, invert: bool) -> dict:
    """{value: quantile (NaN for none)} for one set of values, from ``assign_quantiles`` on a one-column frame."""
    present = values[~np.isnan(values)]
    if 1 <= nquantiles and present.size < nquantiles:
        # assign_quantiles gives no quantiles here (and warns); skip the call, as
        # warnings.catch_warnings is not safe in UDFs that DuckDB runs on several threads.
        return dict.fromkeys(present.tolist(), np.nan)
    q = assign_quantiles(pd.DataFrame({"value": present}), "value", nquantiles=nquantiles, invert=invert)
    return dict(zip(present.tolist(), q.astype(float).tolist(), strict=False))


def _quantiles(value, all_values, nquantiles, invert):
    v = to_numpy(value)
    sets = list_rows(all_values)
    nq, inv = to_pylist(nquantiles), to_pylist(invert)
    nulls = null_rows(v, sets, nq, inv)
    out = np.full(v.size, np.nan)
    cache: dict = {}  # rows of one partition share their list: rank it once per batch
    for i in np.flatnonzero(~nulls):
        key = (tuple(sets[i].tolist()), int(nq[i]), bool(inv[i]))
        if key not in cache:
            cache[key] = _quantile_by_value(sets[i], int(nq[i]), bool(inv[i]))
        by_value = cache[key]
        if v[i] not in by_value:
            raise ValueError(
                f"value {float(v[i])!r} is not one of all_values; pass the list of the values being ranked"
            )
        out[i] = by_value[v[i]]
    return to_arrow_int(out, nulls)


def fingertips_quantile(value, all_values, nquantiles, invert):
    """Quantile (1..nquantiles) of ``value`` among ``all_values``.

    :func:`~transforms.stats.quantiles.assign_quantiles` on the list.
    """
    return _quantiles(value, all_values, nquantiles, invert)


def fingertips_quintile(value, all_values, invert):
    """:func:`fingertips_quantile` with 5 quantiles."""
    return _quantiles(value, all_values, [5] * len(value), invert)


#: What both functions do with the list, and its NULLs.
_QUANTILE_DOC = (
    "Ties share the lowest rank; ``invert = true`` puts the highest values in quantile 1.  ``all_values`` "
    "is normally the window list ``list(value) over (partition by ...)``; its NULLs are not ranked, fewer "
    "non-NULL values than quantiles gives NULL, and a ``value`` missing from the list is an error."
)
_QUANTILE_CALLS = ("transforms.stats.quantiles.assign_quantiles",)

UDFS = (
    Udf(
        "fingertips_quantile",
        fingertips_quantile,
        [DOUBLE, DOUBLE_LIST, INTEGER, BOOLEAN],
        INTEGER,
        "The quantile (1..``nquantiles``) of ``value`` among ``all_values``, as Fingertips assigns it.",
        _QUANTILE_DOC,
        _QUANTILE_CALLS,
    ),
    Udf(
        "fingertips_quintile",
        fingertips_quintile,
        [DOUBLE, DOUBLE_LIST, BOOLEAN],
        INTEGER,
        "The quintile (1..5) of ``value`` among ``all_values``, as Fingertips assigns it.",
        _QUANTILE_DOC,
        _QUANTILE_CALLS,
    ),
)
