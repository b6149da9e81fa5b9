"""SQL functions for the test of trend over periods and its direction.

They call :mod:`transforms.stats.trends`.  The periods of one series reach
the functions as SQL lists, built in a model with ``list(x order by ...)`` over
the periods wanted (the last 5 of an area, dbt model ``trends``), with each
period's time as a third list (e.g. the financial year's first calendar year,
so the slope is per year and a series with a gap keeps its spacing)::

    poisson_trend(list(numerator order by year), list(denominator order by year), list(year order by year))

Limits are at 95%.  The trend struct's ``reason`` says why its estimates are
NULL (fewer than 3 usable periods, no events, separation, ...), and
``trend_direction`` of such a trend is ``'not assessed'``.
"""

from __future__ import annotations

import numpy as np

from transforms.stats import trends
from transforms.stats.constants import CONF_95
from transforms.udfs.convert import (
    DOUBLE,
    DOUBLE_LIST,
    INTEGER,
    VARCHAR,
    Udf,
    double_struct,
    list_rows,
    null_rows,
    to_arrow_double,
    to_arrow_int,
    to_arrow_string,
    to_numpy,
    to_pylist,
    to_struct,
)

__all__ = ["TREND_TYPE", "UDFS"]

_DOUBLE_FIELDS = (
    "slope",
    "slope_se",
    "ratio",
    "ratio_lower",
    "ratio_upper",
    "p_value",
    "p_value_lr",
    "dispersion",
    "p_value_quasi",
)
TREND_TYPE = double_struct(*_DOUBLE_FIELDS, n_periods=INTEGER, reason=VARCHAR)


def _trend_struct(trend, *lists):
    """One :class:`~transforms.stats.trends.TrendResult` per row of the list columns, as the SQL struct."""
    rows = [list_rows(column) for column in lists]
    nulls = null_rows(*rows)
    results = [None] * len(rows[0])
    cache: dict = {}  # rows of one window partition share their lists: fit them once per batch
    for i in np.flatnonzero(~nulls):
        key = tuple(tuple(column[i].tolist()) for column in rows)
        if key not in cache:
            cache[key] = trend(*(column[i] for column in rows), conf_level=CONF_95)
        results[i] = cache[key]
    fields = {f: to_arrow_double([np.nan if r is None else getattr(r, f) for r in results]) for f in _DOUBLE_FIELDS}
    fields["n_periods"] = to_arrow_int([np.nan if r is None else r.n_periods for r in results])
    fields["reason"] = to_arrow_string([None if r is None else r.reason for r in results])
    return to_struct(fields, nulls)


def poisson_trend(counts, denominators, times):
    """Poisson trend of a rate at the given times: :func:`transforms.stats.trends.poisson_trend`."""
    return _trend_struct(trends.poisson_trend, counts, denominators, times)


def binomial_trend(numerators, denominators, times):
    """Binomial (logistic) trend of a proportion at the given times: :func:`transforms.stats.trends.binomial_trend`."""
    return _trend_struct(trends.binomial_trend, numerators, denominators, times)


def trend_direction(slope, p_value, polarity):
    """Direction label of a trend: :func:`transforms.stats.trends.trend_direction` at alpha 0.05.

    A NULL slope or p-value (no trend estimated) is ``'not assessed'``; a
    NULL polarity gives NULL.
    """
    labels = to_pylist(polarity)
    missing = null_rows(labels)
    out = trends.trend_direction(
        to_numpy(slope), to_numpy(p_value), np.where(missing, "no judgement", np.asarray(labels, dtype=object))
    )
    return to_arrow_string(out.tolist(), missing)


_TREND_FIELDS_DOC = (
    "Fields: ``slope`` (per unit of time, on the log scale) and ``slope_se``, ``ratio`` = exp(slope) with "
    "``ratio_lower``/``ratio_upper`` (95%), ``p_value`` (Wald) and ``p_value_lr`` (likelihood ratio), "
    "``dispersion`` (Pearson chi-square / (n - 2); well above 1 means the p-values are too small), "
    "``n_periods`` used, and ``reason`` when the estimates are NULL.  A NULL list element, or a period "
    "with a NULL, zero or negative denominator, is left out; at least 3 periods are needed.  A negative "
    "count is an error, as in Python."
)
_AT_DOC = "  ``times`` gives each period's time (any unit, e.g. years); NULL or NaN times are an error."

UDFS = (
    Udf(
        "poisson_trend",
        poisson_trend,
        [DOUBLE_LIST, DOUBLE_LIST, DOUBLE_LIST],
        TREND_TYPE,
        "Test of trend in a rate: Poisson regression of the counts on time, log(denominator) as offset.",
        "``ratio`` is the rate ratio per unit of time.  " + _TREND_FIELDS_DOC + _AT_DOC,
        ("transforms.stats.trends.poisson_trend",),
    ),
    Udf(
        "binomial_trend",
        binomial_trend,
        [DOUBLE_LIST, DOUBLE_LIST, DOUBLE_LIST],
        TREND_TYPE,
        "Test of trend in a proportion: logistic regression of numerators out of denominators on time.",
        "``ratio`` is the odds ratio per unit of time, and a numerator above its denominator is an error.  "
        + _TREND_FIELDS_DOC
        + _AT_DOC,
        ("transforms.stats.trends.binomial_trend",),
    ),
    Udf(
        "trend_direction",
        trend_direction,
        [DOUBLE, DOUBLE, VARCHAR],
        VARCHAR,
        "The direction of a trend, judged by the indicator's polarity.",
        "With ``p_value < 0.05``: ``'improving'`` or ``'getting worse'`` for polarity ``'high is good'`` or "
        "``'high is bad'``, ``'increasing'`` or ``'decreasing'`` for ``'no judgement'``; otherwise ``'no "
        "significant change'``.  Unlike the common rule, a NULL ``slope`` or ``p_value`` (a trend with a "
        "``reason``) gives ``'not assessed'``; a NULL ``polarity`` gives NULL and any other polarity is an error.",
        ("transforms.stats.trends.trend_direction",),
    ),
)
