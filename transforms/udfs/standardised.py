"""SQL function for age-standardisation: the directly standardised rate.

It calls :func:`transforms.stats.standardised.dsr_details`.  Band values reach
the function as SQL lists, built in a model with ``list(x order by band)``;
every list of a row must follow the same band order.  The ESP2013 weights are
the dbt seed ``esp2013``.
"""

from __future__ import annotations

from collections import defaultdict

import numpy as np

from transforms.stats import standardised
from transforms.udfs.convert import (
    DOUBLE,
    DOUBLE_LIST,
    VARCHAR,
    Udf,
    double_struct,
    list_rows,
    null_rows,
    to_arrow_double,
    to_arrow_string,
    to_numpy,
    to_struct,
)

__all__ = ["UDFS", "DSR_TYPE"]

DSR_TYPE = double_struct("value", "lower", "upper", "total_count", "total_population", reason=VARCHAR)


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


UDFS = (
    Udf(
        "dsr",
        dsr,
        [DOUBLE_LIST, DOUBLE_LIST, DOUBLE_LIST, DOUBLE, DOUBLE],
        DSR_TYPE,
        "Directly standardised rate with Dobson limits, the totals, and why a value is NULL.",
        "One list element per age band, in the same order in all three lists.  Not published under 10 "
        "events: value and limits NULL with ``reason = 'total count < 10'``; a zero population in any band "
        "gives NULLs with ``reason = 'population zero in a band'``.  A NULL element of ``observed`` counts "
        "as 0 events; a NULL element of ``population`` or ``standard_population``, lists of different "
        "lengths (a missing band) or an empty list is an error, as in Python.",
        ("transforms.stats.standardised.dsr_details",),
    ),
)
