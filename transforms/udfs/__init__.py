"""The DuckDB scalar functions, one module per family of methods.

``register(conn)`` registers all of them on a DuckDB connection; the dbt-duckdb
plugin :mod:`transforms.duckdb_udfs` calls it on every dbt connection, and its
docstring lists every SQL signature and what each function calls.

Modules: :mod:`~transforms.udfs.rates` (crude rates, proportions, benchmark),
:mod:`~transforms.udfs.standardised` (ESP2013, DSR, ISR),
:mod:`~transforms.udfs.funnels`, :mod:`~transforms.udfs.quantiles`,
:mod:`~transforms.udfs.inequality` (SII, RII, PAR), :mod:`~transforms.udfs.names`;
:mod:`~transforms.udfs.convert` holds the Arrow conversion they share.
"""

from __future__ import annotations

from duckdb import DuckDBPyConnection

from transforms.udfs import funnels, inequality, names, quantiles, rates, standardised

try:  # duckdb >= 1.4 / 2.x
    from duckdb.func import FunctionNullHandling, PythonUDFType
except ImportError:  # pragma: no cover - older duckdb releases
    from duckdb.functional import FunctionNullHandling, PythonUDFType

__all__ = ["UDFS", "UDF_NAMES", "register"]

UDFS = rates.UDFS + names.UDFS + standardised.UDFS + funnels.UDFS + quantiles.UDFS + inequality.UDFS

#: Names of the SQL functions registered by :func:`register`.
UDF_NAMES = tuple(udf.name for udf in UDFS)


def register(conn: DuckDBPyConnection) -> DuckDBPyConnection:
    """Register every UDF on ``conn`` (vectorised Arrow UDFs, NULL handling SPECIAL) and return it.

    Safe to call more than once on the same connection: an existing
    registration of the same name is replaced.
    """
    for udf in UDFS:
        try:
            conn.remove_function(udf.name)
        except Exception:  # not registered yet  # noqa: BLE001
            pass
        conn.create_function(
            udf.name,
            udf.func,
            udf.params,
            udf.return_type,
            type=PythonUDFType.ARROW,
            null_handling=FunctionNullHandling.SPECIAL,
            side_effects=False,
        )
    return conn
