"""SQL functions for crude rates, proportions and the comparison with a benchmark.

Each calls :mod:`transforms.stats.rates` or :mod:`transforms.stats.proportions`.
"""

from __future__ import annotations

from transforms.stats import proportions, rates
from transforms.udfs.convert import (
    DOUBLE,
    VARCHAR,
    Udf,
    fill,
    null_rows,
    to_arrow_double,
    to_arrow_string,
    to_numpy,
)

__all__ = ["UDFS"]

#: Stand-in for NULL confidence levels, so that the argument check passes on rows whose result is NULL anyway.
_CONF_STAND_IN = 0.95


def _rate_args(a, b, multiplier, conf_level):
    a, b, m, c = (to_numpy(x) for x in (a, b, multiplier, conf_level))
    nulls = null_rows(a, b, m, c)
    return a, b, m, fill(c, nulls, _CONF_STAND_IN), nulls


def _byar(index):
    def udf(observed, population, multiplier, conf_level):
        """Crude-rate limit: :func:`transforms.stats.rates.crude_rate_ci` (exact below 10, Byar's from 10)."""
        o, p, m, c, nulls = _rate_args(observed, population, multiplier, conf_level)
        return to_arrow_double(rates.crude_rate_ci(o, p, m, c)[index], nulls)

    return udf


def _wilson(index):
    def udf(numerator, denominator, multiplier, conf_level):
        """Proportion limit: :func:`transforms.stats.proportions.wilson_ci` (Wilson score)."""
        x, n, m, c, nulls = _rate_args(numerator, denominator, multiplier, conf_level)
        return to_arrow_double(proportions.wilson_ci(x, n, c, m)[index], nulls)

    return udf


def compare_with_benchmark(lower, upper, benchmark):
    """'higher' / 'lower' / 'not different': :func:`transforms.stats.rates.compare_with_benchmark`."""
    labels = rates.compare_with_benchmark(to_numpy(lower), to_numpy(upper), to_numpy(benchmark))
    return to_arrow_string(labels.tolist())


_RATE_CI_PARAMS = [DOUBLE, DOUBLE, DOUBLE, DOUBLE]


def _limit_pair(prefix: str, factory, summary: str, doc: str, calls: tuple[str, ...]) -> tuple[Udf, Udf]:
    """The ``<prefix>_lower`` and ``<prefix>_upper`` functions, items 1 and 2 of the interval function's result."""
    return tuple(
        Udf(f"{prefix}_{side}", factory(index), _RATE_CI_PARAMS, DOUBLE, summary.format(side=side), doc, calls)
        for index, side in ((1, "lower"), (2, "upper"))
    )


UDFS = (
    *_limit_pair(
        "byar",
        _byar,
        "The {side} confidence limit of the crude rate ``observed/population*multiplier``.",
        "Exact Poisson limits below 10 events, Byar's from 10.",
        ("transforms.stats.rates.crude_rate_ci",),
    ),
    Udf(
        "compare_with_benchmark",
        compare_with_benchmark,
        [DOUBLE, DOUBLE, DOUBLE],
        VARCHAR,
        "``'higher'``, ``'lower'`` or ``'not different'``: the interval ``lower``-``upper`` against ``benchmark``.",
        "``'higher'`` when ``lower`` is above ``benchmark``, ``'lower'`` when ``upper`` is below it, "
        "``'not different'`` when the interval contains it (a limit equal to it counts as containing it).",
        ("transforms.stats.rates.compare_with_benchmark",),
    ),
    *_limit_pair(
        "wilson",
        _wilson,
        "The {side} confidence limit of the proportion ``numerator/denominator*multiplier``.",
        "Wilson score limits.",
        ("transforms.stats.proportions.wilson_ci",),
    ),
)
