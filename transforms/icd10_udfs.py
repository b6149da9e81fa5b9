"""DuckDB scalar functions for the ICD-10 groups of :mod:`transforms.reference.icd10_groups`.

The potentially preventable admissions list and the falls rule are written once, in
pandas; these vectorised Arrow UDFs hand each DuckDB vector to those functions, so
the dbt models and the Python tests use one definition.

Two ways in, as for :mod:`transforms.duckdb_udfs`:

* dbt: list this module as a dbt-duckdb plugin in ``profiles.yml``::

      plugins:
        - module: transforms.icd10_udfs

* Python: ``register(conn)`` on any ``duckdb.DuckDBPyConnection``.

SQL functions registered:

``ppa_condition(main VARCHAR, o1 VARCHAR, o2 VARCHAR, o3 VARCHAR, o4 VARCHAR, o5 VARCHAR) -> VARCHAR``
    The PHS potentially preventable admission condition of an episode's six
    diagnosis positions (e.g. ``'COPD'``), or NULL when none applies
    (:func:`~transforms.reference.icd10_groups.ppa_condition`). Apply it to the
    first episode of an emergency stay.
``is_ppa(main VARCHAR, o1 VARCHAR, ..., o5 VARCHAR) -> BOOLEAN``
    ``ppa_condition(...) IS NOT NULL``.
``is_fall_admission(admission_type VARCHAR, main VARCHAR, o1 VARCHAR, ..., o5 VARCHAR) -> BOOLEAN``
    Core Suite NI-16 fall: admission type 33-35 and an external cause W00-W19 in
    any of the six positions (:func:`~transforms.reference.icd10_groups.is_fall_admission`).

NULL handling: registered with ``null_handling=SPECIAL`` so that a NULL argument
reaches the pandas function instead of making the whole result NULL. A missing
code matches no rule, exactly as in pandas: ``ppa_condition`` is NULL only when no
position matches (a PPA coded in another position still counts when the main
condition is missing), and ``is_fall_admission`` is FALSE, never NULL.
"""

from __future__ import annotations

import pandas as pd
import pyarrow as pa
from dbt.adapters.duckdb.plugins import BasePlugin
from duckdb import DuckDBPyConnection

from transforms.reference import icd10_groups

try:  # duckdb >= 1.4 / 2.x
    from duckdb.func import FunctionNullHandling, PythonUDFType
    from duckdb.sqltypes import BOOLEAN, VARCHAR
except ImportError:  # pragma: no cover - older duckdb releases
    from duckdb.functional import FunctionNullHandling, PythonUDFType
    from duckdb.typing import BOOLEAN, VARCHAR

__all__ = ["Plugin", "register", "UDF_NAMES"]


def _frame(columns: tuple[str, ...], arrays) -> pd.DataFrame:
    """Arrow arrays (NULL -> None) as a DataFrame with the column names icd10_groups expects."""
    return pd.DataFrame({name: arr.to_pandas() for name, arr in zip(columns, arrays, strict=True)})


# DuckDB reads the number of parameters from the signature, so they are spelt out.
def _ppa_condition(main, other1, other2, other3, other4, other5):
    frame = _frame(icd10_groups.DIAGNOSIS_COLUMNS, (main, other1, other2, other3, other4, other5))
    return pa.array(icd10_groups.ppa_condition(frame).tolist(), type=pa.string())


def _is_ppa(main, other1, other2, other3, other4, other5):
    frame = _frame(icd10_groups.DIAGNOSIS_COLUMNS, (main, other1, other2, other3, other4, other5))
    return pa.array(icd10_groups.is_ppa(frame).to_numpy(dtype=bool), type=pa.bool_())


def _is_fall_admission(admission_type, main, other1, other2, other3, other4, other5):
    frame = _frame(("admission_type", *icd10_groups.DIAGNOSIS_COLUMNS),
                   (admission_type, main, other1, other2, other3, other4, other5))
    return pa.array(icd10_groups.is_fall_admission(frame).to_numpy(dtype=bool), type=pa.bool_())


_DIAGNOSES = [VARCHAR] * len(icd10_groups.DIAGNOSIS_COLUMNS)

_UDFS = (
    ("ppa_condition", _ppa_condition, _DIAGNOSES, VARCHAR),
    ("is_ppa", _is_ppa, _DIAGNOSES, BOOLEAN),
    ("is_fall_admission", _is_fall_admission, [VARCHAR, *_DIAGNOSES], BOOLEAN),
)

#: Names of the SQL functions this module registers.
UDF_NAMES = tuple(name for name, *_ in _UDFS)


def register(conn: DuckDBPyConnection) -> DuckDBPyConnection:
    """Register the ICD-10 group UDFs on ``conn`` and return it (again replaces them)."""
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
    """dbt-duckdb plugin that registers the ICD-10 group UDFs on every dbt connection."""

    def configure_connection(self, conn: DuckDBPyConnection) -> None:
        register(conn)
