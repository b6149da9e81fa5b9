"""Quantiles (e.g. quintiles, deciles) of areas ranked by value, as Fingertips assigns them.

The method is the one of the OHID/PHE technical guide *Assigning Deprivation
Categories* (Fingertips public health methods pages) as implemented by
``phe_quantile`` in the PHEindicatormethods R package
(github.com/ukhsa-collaboration/PHEindicatormethods, ``R/Quantiles.R``) and by
``ph_quantile`` in its Python port PHStatsMethods
(github.com/DataS-DHSC/PHStatsMethods, ``PHStatsMethods/quantiles.py``).  In
older releases of the R package the grouping was the ``highergeog`` argument
(quantiles within each higher geography, e.g. region); here it is
``group_cols``.

Within each group, with ``n`` the number of areas that have a value and ``q``
the number of quantiles:

1. rank the values with ties given the lowest rank (``rank(..., ties.method =
   "min")``; missing values are not ranked).  With ``invert=True`` (the
   default, as in the package) the *highest* value gets rank 1, so quantile 1
   holds the highest values; with ``invert=False`` the lowest value gets
   rank 1.  ("invert" follows indicator polarity: Fingertips uses
   ``invert=True`` for "low is good" indicators so that quantile 1 is the
   worst.)
2. ``quantile = floor((q + 1) - ceiling(((n + 1) - rank) / (n / q)))``, and a
   result of 0 becomes 1 (it happens for rank 1 when ``n/q`` does not divide
   evenly).
3. Groups with fewer than ``q`` values get no quantiles (missing), with a
   warning; areas without a value get no quantile.

Tied values share a rank and therefore a quantile, so quantiles can have
unequal sizes; the technical guide advises reviewing such boundaries by hand.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence

import numpy as np
import pandas as pd

from transforms.stats.arguments import as_float

__all__ = ["quantile_from_rank", "assign_quantiles"]


def quantile_from_rank(rank, n, nquantiles):
    """Quantile number from a rank, by the Fingertips formula.

    ``floor((q + 1) - ceiling(((n + 1) - rank) / (n / q)))`` with 0 mapped to
    1, where ``q = nquantiles`` and ``n`` is the number of ranked values in
    the group.  NaN where ``rank`` or ``n`` is NaN or ``n < q``.  Vectorised;
    returns a float numpy array (whole numbers or NaN).
    """
    r = as_float(rank)
    n = as_float(n)
    q = as_float(nquantiles)
    if np.any(q < 1):
        raise ValueError("nquantiles must be at least 1")
    with np.errstate(invalid="ignore", divide="ignore"):
        out = np.floor((q + 1.0) - np.ceil(((n + 1.0) - r) / (n / q)))
    out = np.where(out == 0, 1.0, out)
    out = np.where(n < q, np.nan, out)  # also NaN stays NaN
    return np.asarray(out, dtype=float)


def assign_quantiles(
    df: pd.DataFrame,
    values: str,
    nquantiles: int = 10,
    group_cols: str | Sequence[str] | None = None,
    invert: bool | str = True,
) -> pd.Series:
    """Assign each row of ``df`` to a quantile of ``values``, within groups.

    Parameters
    ----------
    df : DataFrame
        One row per area.
    values : str
        Numeric column to rank by.  Missing values get no quantile and do not
        count towards ``n``.
    nquantiles : int, default 10
        Number of quantiles (5 = quintiles, 10 = deciles).
    group_cols : str or list of str, optional
        Columns defining separate sets of quantiles (e.g. the parent
        geography, the ``highergeog`` of older PHEindicatormethods releases,
        and/or the indicator).  ``None`` ranks all rows together.  Rows with a
        missing group value form no group and get no quantile.
    invert : bool or str, default True
        ``True``: quantile 1 holds the highest values; ``False``: quantile 1
        holds the lowest.  A column name gives a per-row flag (the package's
        ``inverttype = "field"``), which must be constant within each group,
        else ``ValueError``.

    Returns
    -------
    pandas Series of dtype ``Int64`` (nullable), aligned with ``df.index``,
    named ``"quantile"``.  Groups with fewer than ``nquantiles`` values are
    all missing and a ``UserWarning`` is issued, as in the package.
    """
    if not isinstance(nquantiles, (int, np.integer)) or isinstance(nquantiles, bool) or nquantiles < 1:
        raise ValueError("nquantiles must be a positive integer")
    if values not in df.columns:
        raise KeyError(values)
    vals = pd.Series(as_float(df[values]), index=df.index)
    if group_cols is None:
        keys = pd.Series(0, index=df.index)
        groups = [keys]
    else:
        cols = [group_cols] if isinstance(group_cols, str) else list(group_cols)
        groups = [df[c] for c in cols]

    if isinstance(invert, str):
        if invert not in df.columns:
            raise KeyError(f"invert is not a column of df: {invert}")
        flags = df[invert]
        if flags.isna().any() or not flags.map(lambda x: isinstance(x, (bool, np.bool_))).all():
            raise ValueError("the invert column must hold True or False in every row")
        flags = flags.astype(bool)
        per_group = flags.groupby(groups, dropna=True).nunique()
        if (per_group > 1).any():
            raise ValueError("invert must take the same value within each group")
    elif isinstance(invert, (bool, np.bool_)):
        flags = pd.Series(bool(invert), index=df.index)
    else:
        raise ValueError("invert must be True, False or a column name")

    # Rank so that rank 1 is the highest value when inverted: rank the
    # negated value (exactly what rank(-x) does in the R package).
    signed = vals.where(~flags, -vals)
    grouped = signed.groupby(groups, dropna=True)
    rank = grouped.rank(method="min", ascending=True, na_option="keep")
    n = grouped.transform("count")
    quantile = quantile_from_rank(rank, n, nquantiles)
    # Rows outside every group (missing group key) get no quantile.
    quantile = np.where(n.reindex(df.index).isna().to_numpy(), np.nan, quantile)

    too_small = n.notna() & (n < nquantiles)
    if too_small.any():
        warnings.warn(
            "One or more groups had too few small areas with values to allow quantiles to be assigned",
            UserWarning,
            stacklevel=2,
        )
    out = pd.Series(quantile, index=df.index, name="quantile")
    return out.astype("Int64")
