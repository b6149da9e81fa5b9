"""SQL functions for the ICD-10 groups: potentially preventable admissions and falls.

Each calls :mod:`transforms.reference.icd10_groups`, where the potentially
preventable admissions list and the falls rule are written once, in pandas;
the dbt models and the Python tests use that one definition.  The diagnosis
arguments are an SMR01 episode's six positions, ``main_condition`` and
``other_condition_1`` ... ``other_condition_5``.

NULL handling differs from the statistics functions: a NULL argument reaches
the pandas function instead of making the whole result NULL, and a missing
code matches no rule, exactly as in pandas.  ``ppa_condition`` is NULL only
when no position matches (a PPA coded in another position still counts when
the main condition is missing), and ``is_fall_admission`` is TRUE or FALSE,
never NULL.
"""

from __future__ import annotations

import inspect

import pandas as pd
import pyarrow as pa

from transforms.reference import icd10_groups
from transforms.udfs.convert import BOOLEAN, VARCHAR, Udf

__all__ = ["UDFS"]


def _strings(result: pd.Series) -> pa.Array:
    return pa.array(result.tolist(), type=pa.string())


def _booleans(result: pd.Series) -> pa.Array:
    return pa.array(result.to_numpy(dtype=bool), type=pa.bool_())


def _episode_udf(rule, columns: tuple[str, ...], to_arrow):
    """A UDF with one argument per column of ``columns``: ``rule`` on the frame of those columns, as Arrow.

    The Arrow arrays become a DataFrame with the column names icd10_groups
    expects (NULL -> None).  DuckDB and the documentation read the arguments
    from the signature, so the UDF gets one named after the columns.
    """

    def udf(*arrays):
        frame = pd.DataFrame({name: arr.to_pandas() for name, arr in zip(columns, arrays, strict=True)})
        return to_arrow(rule(frame))

    udf.__signature__ = inspect.Signature(
        [inspect.Parameter(name, inspect.Parameter.POSITIONAL_ONLY) for name in columns]
    )
    udf.__name__ = udf.__qualname__ = rule.__name__
    return udf


_DIAGNOSES = icd10_groups.DIAGNOSIS_COLUMNS

UDFS = (
    Udf(
        "ppa_condition",
        _episode_udf(icd10_groups.ppa_condition, _DIAGNOSES, _strings),
        [VARCHAR] * len(_DIAGNOSES),
        VARCHAR,
        "The PHS potentially preventable admission condition of an episode (e.g. ``'COPD'``), or NULL.",
        "NULL when no condition applies to the six diagnosis positions.  Apply it to the first episode of an "
        "emergency stay.",
        ("transforms.reference.icd10_groups.ppa_condition",),
    ),
    Udf(
        "is_fall_admission",
        _episode_udf(icd10_groups.is_fall_admission, ("admission_type", *_DIAGNOSES), _booleans),
        [VARCHAR] * (1 + len(_DIAGNOSES)),
        BOOLEAN,
        "Whether an episode is a Core Suite NI-16 fall admission.",
        "Admission type 33-35 and an external cause W00-W19 in any of the six positions.",
        ("transforms.reference.icd10_groups.is_fall_admission",),
    ),
)
