"""The typed frame a suite's `meta.columns` describe, and the views of it GX is run on.

Values that do not cast become missing, so the suite's not-null expectations report
them, with the value as it was read.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

COLUMN_TYPES = ("string", "int", "date", "float")
DATE_FORMAT = "%Y-%m-%d"


def _cast_string(s: pd.Series) -> pd.Series:
    """Text as pandas' `str` dtype; empty or blank cells (read_csv gives "") become missing."""
    if s.dtype != "str":
        s = s.astype("str")  # pandas' Arrow-backed string dtype; missing stays missing
    return s.mask(s.str.strip() == "")


def _whole_numbers(num: pd.Series) -> pd.Series:
    num = num.astype("float64")
    whole = np.isfinite(num) & (num == np.floor(num)) & (num.abs() < 2**53)
    return num.where(whole).astype("Int64")


def _cast_int(s: pd.Series) -> pd.Series:
    if pd.api.types.is_integer_dtype(s.dtype):
        return s.astype("Int64")
    if pd.api.types.is_bool_dtype(s.dtype):
        return pd.Series(pd.NA, index=s.index, dtype="Int64")
    if pd.api.types.is_numeric_dtype(s.dtype):
        return _whole_numbers(s)
    # Text: plain digit strings go through Arrow (fast); anything else ("12.0", "1e3",
    # "abc") through pd.to_numeric, keeping only whole numbers.
    text = s.astype("str").str.strip()
    plain = text.str.fullmatch(r"-?[0-9]{1,15}").fillna(False).astype(bool)
    out = text.where(plain).astype("int64[pyarrow]").astype("Int64")
    rest = ~plain & text.notna() & (text != "")
    if rest.any():
        out[rest] = _whole_numbers(pd.to_numeric(text[rest], errors="coerce"))
    return out


def _cast_float(s: pd.Series) -> pd.Series:
    if not pd.api.types.is_numeric_dtype(s.dtype) or pd.api.types.is_bool_dtype(s.dtype):
        s = pd.to_numeric(s.astype("str").str.strip(), errors="coerce")
    out = s.astype("float64")
    return out.where(np.isfinite(out)).astype("Float64")


def _cast_date(s: pd.Series) -> pd.Series:
    if pd.api.types.is_datetime64_any_dtype(s.dtype):
        out = s.dt.tz_localize(None) if getattr(s.dt, "tz", None) is not None else s
        return out.astype("datetime64[ns]")
    if s.dtype == object:
        first = s.dropna()
        first = first.iloc[0] if len(first) else None
        if first is not None and not isinstance(first, str):  # datetime.date objects from Parquet
            return pd.to_datetime(s, errors="coerce").astype("datetime64[ns]")
    text = s.astype("str").str.strip()
    return pd.to_datetime(text, format=DATE_FORMAT, errors="coerce").astype("datetime64[ns]")


_CASTS = {"string": _cast_string, "int": _cast_int, "float": _cast_float, "date": _cast_date}


def cast_frame(raw: pd.DataFrame, columns: dict[str, str]) -> pd.DataFrame:
    """The typed frame: the suite's columns that are present, in suite order, RangeIndex.

    string -> pandas `str`, int -> nullable `Int64`, float -> `Float64`,
    date -> `datetime64[ns]`; values that do not cast become missing.
    """
    raw = raw.reset_index(drop=True)
    return pd.DataFrame({c: _CASTS[t](raw[c]) for c, t in columns.items() if c in raw.columns}, index=raw.index)


def shape_only(raw: pd.DataFrame) -> pd.DataFrame:
    """A stand-in with the same columns (in order) and row count for the table-level phase.

    Table expectations look only at the shape; GX fingerprints every batch by hashing all
    its values (about 4 s for 4 million rows of 11 text columns), and a one-category
    column hashes in milliseconds.
    """
    filler = pd.Categorical.from_codes(np.zeros(len(raw), dtype=np.int8), categories=["."])
    stand_in = pd.DataFrame({i: filler for i in range(raw.shape[1])}, index=raw.index)
    stand_in.columns = raw.columns
    return stand_in


def gx_view(typed: pd.DataFrame) -> pd.DataFrame:
    """The typed frame as GX's pandas engine handles fastest: numeric columns as float64.

    GX 1.24 compares column values with bounds row by row in Python unless the column's
    dtype is numpy int64/float64 (about 10 s per column at 4 million rows for `Int64`).
    Whole numbers below 2**53 are exact in float64, and missing values become NaN.
    """
    return pd.DataFrame(
        {
            c: (s.astype("float64") if isinstance(s.dtype, (pd.Int64Dtype, pd.Float64Dtype)) else s)
            for c, s in typed.items()
        },
        index=typed.index,
    )
