"""SQL functions reading a comparison with its polarity: the verdict and the improvement opportunity.

Each calls :mod:`transforms.stats.compare`.
"""

from __future__ import annotations

import numpy as np

from transforms.stats import compare
from transforms.udfs.convert import (
    DOUBLE,
    DOUBLE_LIST,
    VARCHAR,
    Udf,
    list_rows,
    to_arrow_double,
    to_arrow_string,
    to_numpy,
    to_pylist,
)

__all__ = ["UDFS"]


def polarity_verdict(lower, upper, benchmark, polarity):
    """'better' ... 'not compared': :func:`transforms.stats.compare.verdict`."""
    labels = compare.verdict(to_numpy(lower), to_numpy(upper), to_numpy(benchmark), to_pylist(polarity))
    return to_arrow_string(labels.tolist())


def improvement_opportunity(numerator, denominator, value, target, multiplier, method, polarity):
    """Events to the target rate: :func:`transforms.stats.compare.improvement_opportunity`."""
    out = compare.improvement_opportunity(
        *(to_numpy(x) for x in (numerator, denominator, value, target, multiplier)),
        to_pylist(method),
        to_pylist(polarity),
    )
    return to_arrow_double(out)


def best_quartile(all_values, polarity):
    """The best quartile of each list: :func:`transforms.stats.compare.best_quartile`."""
    sets, polarities = list_rows(all_values), to_pylist(polarity)
    cache: dict = {}  # rows of one window share their list
    out = np.full(len(sets), np.nan)
    for i, (values, p) in enumerate(zip(sets, polarities, strict=True)):
        if values is not None and p is not None:
            key = (tuple(values.tolist()), p)
            if key not in cache:
                cache[key] = compare.best_quartile(values, p)
            out[i] = cache[key]
    return to_arrow_double(out)


UDFS = (
    Udf(
        "polarity_verdict",
        polarity_verdict,
        [DOUBLE, DOUBLE, DOUBLE, VARCHAR],
        VARCHAR,
        "``'better'``, ``'worse'`` or ``'similar'`` (``'higher'``, ``'lower'`` or ``'similar'`` where "
        "``polarity`` is ``'no judgement'``): the interval ``lower``-``upper`` against ``benchmark``.",
        "Never NULL: a missing limit, benchmark or polarity gives ``'not compared'``.",
        ("transforms.stats.compare.verdict",),
    ),
    Udf(
        "improvement_opportunity",
        improvement_opportunity,
        [DOUBLE, DOUBLE, DOUBLE, DOUBLE, DOUBLE, VARCHAR, VARCHAR],
        DOUBLE,
        "Events by which ``numerator`` would be better at the ``target`` rate; 0 where the area is there already.",
        "``method`` is ``'crude rate'``, ``'percentage'`` or ``'directly age-standardised rate'`` (``value`` is "
        "the area's own rate, used for the DSR); other methods and ``'no judgement'`` give NULL.",
        ("transforms.stats.compare.improvement_opportunity",),
    ),
    Udf(
        "best_quartile",
        best_quartile,
        [DOUBLE_LIST, VARCHAR],
        DOUBLE,
        "The best quartile of ``all_values``: the 25th percentile where ``polarity`` is ``'high is bad'``, "
        "the 75th where it is ``'high is good'``.",
        "Linear interpolation, as ``quantile_cont``; the list's NULLs are left out; NULL for ``'no judgement'``, "
        "an empty list or one of NULLs only.",
        ("transforms.stats.compare.best_quartile",),
    ),
)
