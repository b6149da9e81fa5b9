"""The UDF registry entry, the SQL types, and the Arrow <-> numpy conversion the DuckDB UDFs share.

DuckDB hands a vectorised (``PythonUDFType.ARROW``) UDF one pyarrow
(Chunked)Array per argument, a batch of rows at a time, and expects one
pyarrow Array of the same length back.  These helpers keep the conventions of
the statistics functions in one place (the NULL rules are on the page
docs/sql_functions.md, written by :mod:`transforms.udfs.docs`):

* SQL NULL arrives as an Arrow null and becomes NaN (numbers) or None (lists,
  strings) in Python;
* a row with NULL in any argument gives NULL (:func:`null_rows`); before the
  statistics function is called, such rows get harmless stand-in values
  (:func:`fill`) so that argument checks such as "conf_level in (0, 1)" do
  not fail on them, and their results are masked afterwards;
* NaN results go back as NULL (NaN sorts above every number in DuckDB and
  would slip through ``is not null`` filters).

duckdb 2.0 notes: the UDF enums moved to ``duckdb.func`` and the types to
``duckdb.sqltypes`` (older releases: ``duckdb.functional``/``duckdb.typing``;
this module is the one place that imports them); Arrow UDFs receive LIST
arguments as pyarrow list arrays and may return STRUCTs as pyarrow
StructArrays, and DuckDB may call them from several threads at once, so they
keep no shared mutable state.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import NamedTuple

import numpy as np
import pyarrow as pa
from duckdb import list_type, struct_type

try:  # duckdb >= 1.4 / 2.x
    from duckdb.func import FunctionNullHandling, PythonUDFType
    from duckdb.sqltypes import BOOLEAN, DOUBLE, INTEGER, VARCHAR
except ImportError:  # pragma: no cover - older duckdb releases
    from duckdb.functional import FunctionNullHandling, PythonUDFType
    from duckdb.typing import BOOLEAN, DOUBLE, INTEGER, VARCHAR

__all__ = [
    "BOOLEAN",
    "DOUBLE",
    "DOUBLE_LIST",
    "INTEGER",
    "FunctionNullHandling",
    "PythonUDFType",
    "VARCHAR",
    "Udf",
    "double_struct",
    "fill",
    "list_rows",
    "null_rows",
    "to_arrow_double",
    "to_arrow_int",
    "to_arrow_string",
    "to_numpy",
    "to_pylist",
    "to_struct",
]

DOUBLE_LIST = list_type(DOUBLE)


class Udf(NamedTuple):
    """One SQL function and its documentation.

    ``func`` takes one Arrow array per SQL argument and returns one; its
    parameter names are the argument names of the documented signature, and
    ``params`` gives their DuckDB types in the same order.  ``summary`` (one
    line: what the function returns) and ``doc`` (how, and any rule of its
    own, such as NULL handling that differs from the common rules) are written
    as in docstrings; ``calls`` names the functions or constants it applies,
    by dotted path, e.g. ``"transforms.stats.rates.crude_rate_ci"``.
    """

    name: str
    func: Callable
    params: list
    return_type: object
    summary: str
    doc: str
    calls: tuple[str, ...]

    @property
    def arg_names(self) -> tuple[str, ...]:
        """The SQL argument names: those of ``func``'s parameters."""
        return tuple(inspect.signature(self.func).parameters)

    @property
    def signature(self) -> str:
        """``name(arg TYPE, ...) -> TYPE`` as DuckDB spells the types."""
        args = ", ".join(f"{arg} {sql_type}" for arg, sql_type in zip(self.arg_names, self.params, strict=True))
        return f"{self.name}({args}) -> {self.return_type}"


def double_struct(*names: str, **others):
    """``STRUCT(name DOUBLE, ...)`` with extra fields of other types given as keywords."""
    return struct_type({**{n: DOUBLE for n in names}, **others})


def to_numpy(arr) -> np.ndarray:
    """pyarrow (Chunked)Array of numbers -> float numpy array, NULL -> NaN."""
    return np.asarray(arr.to_numpy(zero_copy_only=False), dtype=float)


def to_pylist(arr) -> list:
    """pyarrow (Chunked)Array -> Python list, NULL -> None (a list is returned as it is)."""
    return arr if isinstance(arr, list) else arr.to_pylist()


def list_rows(arr) -> list:
    """A LIST column -> one float numpy array per row (NULL elements -> NaN), None for a NULL list."""
    return [None if row is None else np.asarray(row, dtype=float) for row in arr.to_pylist()]


def null_rows(*columns) -> np.ndarray:
    """Boolean mask of the rows in which any argument is NULL (or a number argument is NaN)."""
    n = len(columns[0])
    mask = np.zeros(n, dtype=bool)
    for col in columns:
        if isinstance(col, np.ndarray):
            mask |= np.isnan(col) if col.dtype.kind == "f" else np.zeros(n, dtype=bool)
        elif isinstance(col, list):
            mask |= np.fromiter((v is None for v in col), dtype=bool, count=n)
        else:  # pyarrow (Chunked)Array
            mask |= np.asarray(col.is_null().to_numpy(zero_copy_only=False), dtype=bool)
    return mask


def fill(values: np.ndarray, mask: np.ndarray, stand_in: float) -> np.ndarray:
    """``values`` with the masked rows replaced by ``stand_in`` (their results are discarded)."""
    return np.where(mask, stand_in, values)


def to_arrow_double(values, mask: np.ndarray | None = None) -> pa.Array:
    """Float values -> Arrow DOUBLE; NaN and masked rows -> NULL."""
    values = np.asarray(values, dtype=float)
    nulls = np.isnan(values) if mask is None else (np.isnan(values) | mask)
    return pa.array(values, type=pa.float64(), mask=nulls)


def to_arrow_int(values, mask: np.ndarray | None = None) -> pa.Array:
    """Whole numbers (float, NaN for missing) -> Arrow INTEGER; NaN and masked rows -> NULL."""
    values = np.asarray(values, dtype=float)
    nulls = np.isnan(values) if mask is None else (np.isnan(values) | mask)
    return pa.array(np.where(nulls, 0, values).astype(np.int32), type=pa.int32(), mask=nulls)


def to_arrow_string(values, mask: np.ndarray | None = None) -> pa.Array:
    """Strings or None -> Arrow VARCHAR; masked rows -> NULL."""
    values = list(values)
    if mask is not None:
        values = [None if m else v for v, m in zip(values, mask, strict=False)]
    return pa.array(values, type=pa.string())


def to_struct(fields: dict, mask: np.ndarray) -> pa.StructArray:
    """Arrow STRUCT from ``{name: Arrow array}``; the masked rows are NULL structs."""
    return pa.StructArray.from_arrays(
        list(fields.values()), names=list(fields), mask=pa.array(np.asarray(mask, dtype=bool), type=pa.bool_())
    )
