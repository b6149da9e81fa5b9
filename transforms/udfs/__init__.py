"""Every DuckDB scalar function that the dbt models call: one registry, one plugin.

Each function is a vectorised Arrow UDF that calls a Python function of
:mod:`transforms.stats` or :mod:`transforms.reference`, so every formula and
code list exists once, in Python, and SQL models never repeat it.  Two ways in:

* dbt: the dbt-duckdb plugin :mod:`transforms.udfs.plugin`, listed in
  ``dbt_project/profiles.yml``, calls :func:`register` on every connection
  dbt opens.
* Python (tests, ad-hoc scripts): ``register(conn)`` on any
  ``duckdb.DuckDBPyConnection``.

The registry is :data:`UDFS`: one :class:`~transforms.udfs.convert.Udf` per
SQL function, with its types and documentation, from the modules of
:data:`FAMILIES`: :mod:`~transforms.udfs.rates` (crude rates, proportions,
benchmark), :mod:`~transforms.udfs.compare` (verdicts with polarity, improvement
opportunity), :mod:`~transforms.udfs.standardised` (DSR),
:mod:`~transforms.udfs.funnels`, :mod:`~transforms.udfs.quantiles`,
:mod:`~transforms.udfs.inequality` (ScotPHO SII, RII, PAR),
:mod:`~transforms.udfs.trends` (tests of trend over periods), :mod:`~transforms.udfs.icd10`
(potentially preventable admissions, falls) and :mod:`~transforms.udfs.names`;
:mod:`~transforms.udfs.convert` holds the registry entry, the SQL types and
the Arrow conversion they share.  :mod:`transforms.udfs.docs` writes every
signature from the registry to docs/sql_functions.md.
"""

from __future__ import annotations

from duckdb import DuckDBPyConnection

from transforms.udfs import compare, funnels, icd10, inequality, names, quantiles, rates, standardised, trends
from transforms.udfs.convert import FunctionNullHandling, PythonUDFType

__all__ = ["FAMILIES", "UDFS", "UDF_NAMES", "register"]

#: The modules of the functions, in the order of the documentation page.
FAMILIES = (rates, compare, standardised, funnels, quantiles, inequality, trends, icd10, names)

UDFS = tuple(udf for family in FAMILIES for udf in family.UDFS)

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
