"""SQL functions for funnel-plot control limits and the classification against them.

Each calls :mod:`transforms.stats.funnels`.
"""

from __future__ import annotations

from collections import defaultdict

import numpy as np

from transforms.stats import funnels
from transforms.udfs.convert import (
    DOUBLE,
    VARCHAR,
    Udf,
    double_struct,
    fill,
    null_rows,
    to_arrow_double,
    to_arrow_string,
    to_numpy,
    to_pylist,
    to_struct,
)

__all__ = ["UDFS", "LIMITS_TYPE"]

_CONF_STAND_IN = 0.95
LIMITS_TYPE = double_struct("lower", "upper")


def funnel_rate_limits(denominator, benchmark_rate, multiplier, conf_level, method):
    """Rate control limits at each denominator: :func:`transforms.stats.funnels.rate_funnel_limits`.

    ``rate_funnel_limits`` takes one confidence level and method per call, so
    the rows are grouped by (conf_level, method).
    """
    n, b, m, c = (to_numpy(x) for x in (denominator, benchmark_rate, multiplier, conf_level))
    methods = to_pylist(method)
    nulls = null_rows(n, b, m, c, methods)
    lower = np.full(n.size, np.nan)
    upper = np.full(n.size, np.nan)
    groups = defaultdict(list)
    for i in np.flatnonzero(~nulls):
        groups[(float(c[i]), methods[i])].append(i)
    for (conf, how), rows in groups.items():
        lower[rows], upper[rows] = funnels.rate_funnel_limits(n[rows], b[rows], conf, m[rows], method=how)
    return to_struct({"lower": to_arrow_double(lower), "upper": to_arrow_double(upper)}, nulls)


def funnel_proportion_limits(denominator, benchmark, multiplier, conf_level):
    """Proportion control limits: :func:`transforms.stats.funnels.proportion_funnel_limits`."""
    n, b, m, c = (to_numpy(x) for x in (denominator, benchmark, multiplier, conf_level))
    nulls = null_rows(n, b, m, c)
    lower, upper = funnels.proportion_funnel_limits(n, b, fill(c, nulls, _CONF_STAND_IN), m)
    return to_struct({"lower": to_arrow_double(lower), "upper": to_arrow_double(upper)}, nulls)


def classify_against_limits(value, lower_95, upper_95, lower_998, upper_998):
    """'above 99.8%' ... 'below 99.8%': :func:`transforms.stats.funnels.classify_against_limits`."""
    labels = funnels.classify_against_limits(*(to_numpy(x) for x in (value, lower_95, upper_95, lower_998, upper_998)))
    return to_arrow_string(labels.tolist())


UDFS = (
    Udf(
        "funnel_rate_limits",
        funnel_rate_limits,
        [DOUBLE, DOUBLE, DOUBLE, DOUBLE, VARCHAR],
        LIMITS_TYPE,
        "Funnel-plot control limits of a rate at a denominator, around the benchmark rate.",
        "Rates per ``multiplier``; ``method`` is ``'exact'`` (the Fingertips funnel), ``'byar'`` or "
        "``'mixed'`` (exact below 10, Byar's from 10).",
        ("transforms.stats.funnels.rate_funnel_limits",),
    ),
    Udf(
        "funnel_proportion_limits",
        funnel_proportion_limits,
        [DOUBLE, DOUBLE, DOUBLE, DOUBLE],
        LIMITS_TYPE,
        "Funnel-plot control limits of a proportion at a denominator, around the benchmark.",
        "The benchmark and the limits are on the ``multiplier`` scale (100 for percentages).",
        ("transforms.stats.funnels.proportion_funnel_limits",),
    ),
    Udf(
        "classify_against_limits",
        classify_against_limits,
        [DOUBLE] * 5,
        VARCHAR,
        "Where a value lies against its 95% and 99.8% control limits.",
        "``'above 99.8%'``, ``'above 95%'``, ``'within'``, ``'below 95%'`` or ``'below 99.8%'``.",
        ("transforms.stats.funnels.classify_against_limits",),
    ),
)
