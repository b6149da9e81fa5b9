"""DuckDB scalar functions for rate confidence intervals and benchmark comparison.

Two ways in:

* dbt: list this module as a dbt-duckdb plugin in ``profiles.yml``::

      plugins:
        - module: transforms.duckdb_udfs

  dbt-duckdb imports the module, instantiates :class:`Plugin` and calls
  ``configure_connection`` on the DuckDB connection it opens, so models can
  call the functions below in SQL.
* Python (tests, ad-hoc scripts): ``register(conn)`` on any
  ``duckdb.DuckDBPyConnection``.

SQL functions registered (all vectorised Arrow UDFs that call
:mod:`transforms.stats.rates`, so the formulae live in one place):

``byar_lower(observed DOUBLE, population DOUBLE, multiplier DOUBLE, conf_level DOUBLE) -> DOUBLE``
``byar_upper(observed DOUBLE, population DOUBLE, multiplier DOUBLE, conf_level DOUBLE) -> DOUBLE``
    Lower/upper confidence limit of the crude rate ``observed/population*multiplier``
    (Byar's method for ``observed >= 10``, exact Poisson below 10; see
    :func:`transforms.stats.rates.crude_rate_ci`).  ``conf_level`` is a
    fraction, e.g. ``0.95`` or ``0.998``.
``compare_with_benchmark(lower DOUBLE, upper DOUBLE, benchmark DOUBLE) -> VARCHAR``
    ``'higher'``, ``'lower'`` or ``'not different'``
    (see :func:`transforms.stats.rates.compare_with_benchmark`).
``wilson_lower(numerator DOUBLE, denominator DOUBLE, multiplier DOUBLE, conf_level DOUBLE) -> DOUBLE``
``wilson_upper(...)``
    Wilson score limits of the proportion ``numerator/denominator*multiplier``
    (see :func:`transforms.stats.proportions.wilson_ci`).
``name_key(name VARCHAR) -> VARCHAR``
    Comparison key for area names spelt differently by publishers
    (see :func:`transforms.reference.names.name_key`).

NULL handling: the functions are registered with ``null_handling=SPECIAL``
so that they may return NULL themselves (under DuckDB's DEFAULT handling a
UDF that returns NULL is an error).  NULL inputs arrive as nulls in the Arrow
arrays, become NaN in numpy and come back out as NULL, so a NULL in any
argument gives NULL.  Results that are NaN in Python, e.g. a rate limit for a
population of zero or below, are likewise returned as NULL rather than NaN,
because NaN sorts above every number in DuckDB and would slip through
``is not null`` filters.  A negative ``observed`` or a
``conf_level`` outside (0, 1) raises an error, failing the query.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
from dbt.adapters.duckdb.plugins import BasePlugin
from duckdb import DuckDBPyConnection

from transforms.reference.names import name_key
from transforms.stats import proportions, rates

try:  # duckdb >= 1.4 / 2.x
    from duckdb.func import FunctionNullHandling, PythonUDFType
    from duckdb.sqltypes import DOUBLE, VARCHAR
except ImportError:  # pragma: no cover - older duckdb releases
    from duckdb.functional import FunctionNullHandling, PythonUDFType
    from duckdb.typing import DOUBLE, VARCHAR

__all__ = ["Plugin", "register", "UDF_NAMES"]


def _to_numpy(arr) -> np.ndarray:
    """pyarrow (Chunked)Array of doubles -> float numpy array, NULL -> NaN."""
    return np.asarray(arr.to_numpy(zero_copy_only=False), dtype=float)


def _to_arrow_double(values: np.ndarray) -> pa.Array:
    values = np.asarray(values, dtype=float)
    return pa.array(values, type=pa.float64(), mask=np.isnan(values))


def _byar_lower(observed, population, multiplier, conf_level):
    _, lower, _ = rates.crude_rate_ci(
        _to_numpy(observed), _to_numpy(population), _to_numpy(multiplier), _to_numpy(conf_level)
    )
    return _to_arrow_double(lower)


def _byar_upper(observed, population, multiplier, conf_level):
    _, _, upper = rates.crude_rate_ci(
        _to_numpy(observed), _to_numpy(population), _to_numpy(multiplier), _to_numpy(conf_level)
    )
    return _to_arrow_double(upper)


def _compare_with_benchmark(lower, upper, benchmark):
    labels = rates.compare_with_benchmark(_to_numpy(lower), _to_numpy(upper), _to_numpy(benchmark))
    return pa.array(labels.tolist(), type=pa.string())


def _wilson_lower(numerator, denominator, multiplier, conf_level):
    _, lower, _ = proportions.wilson_ci(_to_numpy(numerator), _to_numpy(denominator),
                                        _to_numpy(conf_level), _to_numpy(multiplier))
    return _to_arrow_double(lower)


def _wilson_upper(numerator, denominator, multiplier, conf_level):
    _, _, upper = proportions.wilson_ci(_to_numpy(numerator), _to_numpy(denominator),
                                        _to_numpy(conf_level), _to_numpy(multiplier))
    return _to_arrow_double(upper)


def _name_key(names):
    return pa.array([None if n is None else name_key(n) for n in names.to_pylist()], type=pa.string())


_RATE_CI_PARAMS = [DOUBLE, DOUBLE, DOUBLE, DOUBLE]

_UDFS = (
    ("byar_lower", _byar_lower, _RATE_CI_PARAMS, DOUBLE),
    ("byar_upper", _byar_upper, _RATE_CI_PARAMS, DOUBLE),
    ("compare_with_benchmark", _compare_with_benchmark, [DOUBLE, DOUBLE, DOUBLE], VARCHAR),
    ("wilson_lower", _wilson_lower, _RATE_CI_PARAMS, DOUBLE),
    ("wilson_upper", _wilson_upper, _RATE_CI_PARAMS, DOUBLE),
    ("name_key", _name_key, [VARCHAR], VARCHAR),
)

#: Names of the SQL functions this module registers.
UDF_NAMES = tuple(name for name, *_ in _UDFS)


def register(conn: DuckDBPyConnection) -> DuckDBPyConnection:
    """Register the rate/benchmark UDFs on ``conn`` and return it.

    Safe to call more than once on the same connection: an existing
    registration of the same name is replaced.
    """
    for name, func, params, return_type in _UDFS:
        try:
            conn.remove_function(name)
        except Exception:  # not registered yet  # noqa: BLE001
            pass
        conn.create_function(
            name,
            func,
            params,
            return_type,
            type=PythonUDFType.ARROW,
            null_handling=FunctionNullHandling.SPECIAL,
            side_effects=False,
        )
    return conn


class Plugin(BasePlugin):
    """dbt-duckdb plugin that registers the UDFs on every dbt connection."""

    def configure_connection(self, conn: DuckDBPyConnection) -> None:
        register(conn)
